#include "net/system_resolve.h"

#include <netdb.h>

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

namespace pgreach::net {

struct PendingSystemLookup::State {
  std::mutex mu;
  std::condition_variable cv;
  SystemLookup result;
};

namespace {
struct AddrinfoFree {
  void operator()(addrinfo* a) const { freeaddrinfo(a); }
};
}  // namespace

PendingSystemLookup::PendingSystemLookup(const std::string& host) : state_(std::make_shared<State>()) {
  auto state = state_;
  std::thread([state, host] {
    const auto start = std::chrono::steady_clock::now();
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC;
    addrinfo* raw = nullptr;
    const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &raw);
    std::unique_ptr<addrinfo, AddrinfoFree> list(raw);
    SystemLookup r;
    r.finished = true;
    r.gaiError = rc;
    if (rc != 0) r.error = gai_strerror(rc);
    for (auto* ai = list.get(); ai; ai = ai->ai_next) {
      auto a = IpAddress::fromSockaddr(ai->ai_addr);
      if (a && std::find(r.addresses.begin(), r.addresses.end(), *a) == r.addresses.end())
        r.addresses.push_back(*a);
    }
    r.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    std::lock_guard<std::mutex> g(state->mu);
    state->result = std::move(r);
    state->cv.notify_all();
  }).detach();
}

PendingSystemLookup::PendingSystemLookup(PendingSystemLookup&&) noexcept = default;
PendingSystemLookup& PendingSystemLookup::operator=(PendingSystemLookup&&) noexcept = default;
PendingSystemLookup::~PendingSystemLookup() = default;

SystemLookup PendingSystemLookup::wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->cv.wait_until(lock, deadline, [&] { return state_->result.finished; });
  return state_->result;
}

SystemLookup lookupSystem(const std::string& host, std::chrono::milliseconds timeout) {
  PendingSystemLookup p(host);
  return p.wait(std::chrono::steady_clock::now() + timeout);
}

}  // namespace pgreach::net
