#include "net/dns_name.h"

#include <algorithm>
#include <cctype>

namespace pgreach::net {

std::string canonicalName(std::string_view name) {
  std::string s(name);
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  while (s.size() > 1 && s.back() == '.') s.pop_back();
  if (s != ".") s.push_back('.');
  return s;
}

}  // namespace pgreach::net
