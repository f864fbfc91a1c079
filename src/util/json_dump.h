#pragma once
// Every JSON document pgreach writes goes through here. Text in it may come from a peer
// or a file (a server's message, a database name, an export value) and need not be valid
// UTF-8: nlohmann's plain dump() throws on such bytes, which ended runs with "internal
// error" and a half-written report. Invalid bytes become U+FFFD instead.
#include <nlohmann/json.hpp>
#include <string>

namespace pgreach::util {

inline std::string dumpJson(const nlohmann::json& j, int indent = -1) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace pgreach::util
