#include "engine/scheduler.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace pgreach::engine {
namespace {

bool matchesSelector(const CheckInfo& info, const std::string& selector) {
  return info.id == selector || toString(info.stage) == selector;
}

Expected<bool> validateSelectors(const std::vector<std::shared_ptr<Check>>& all,
                                 const std::vector<std::string>& sel, const char* flag) {
  for (const auto& s : sel) {
    bool found =
        std::any_of(all.begin(), all.end(), [&](const auto& c) { return matchesSelector(c->info(), s); });
    if (!found)
      return makeError(std::string(flag) + ": no check or stage named \"" + s + "\" (see `pgreach checks`)");
  }
  return true;
}

CheckResult skipped(const CheckInfo& info, std::string summary) {
  CheckResult r;
  r.id = info.id;
  r.stage = info.stage;
  r.status = Status::Skip;
  r.summary = std::move(summary);
  return r;
}

}  // namespace

Expected<Plan> makePlan(std::vector<std::unique_ptr<Check>> checks, const std::vector<std::string>& only,
                        const std::vector<std::string>& skip) {
  std::vector<std::shared_ptr<Check>> all;
  std::map<std::string, size_t> index;
  for (auto& c : checks) {
    index[c->info().id] = all.size();
    all.emplace_back(std::move(c));
  }
  for (const auto& c : all) {
    for (const auto& dep : c->info().dependsOn) {
      if (!index.count(dep))
        return makeError("check " + c->info().id + " depends on unknown check \"" + dep + "\"");
    }
  }
  if (auto v = validateSelectors(all, only, "--only"); !v) return makeError(v.error());
  if (auto v = validateSelectors(all, skip, "--skip"); !v) return makeError(v.error());

  // Topological order (Kahn), taking the earliest-registered ready check first.
  std::vector<int> indegree(all.size(), 0);
  std::vector<std::vector<size_t>> dependents(all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    const auto& info = all[i]->info();
    std::set<size_t> preds;
    for (const auto& d : info.dependsOn) preds.insert(index[d]);
    for (const auto& d : info.after) {
      if (index.count(d)) preds.insert(index.at(d));  // soft: an absent check is no constraint
    }
    for (size_t p : preds) {
      dependents[p].push_back(i);
      ++indegree[i];
    }
  }
  std::set<size_t> ready;
  for (size_t i = 0; i < all.size(); ++i) {
    if (indegree[i] == 0) ready.insert(i);
  }
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t d : dependents[i]) {
      if (--indegree[d] == 0) ready.insert(d);
    }
  }
  if (order.size() != all.size()) {
    std::vector<std::string> inCycle;
    for (size_t i = 0; i < all.size(); ++i) {
      if (indegree[i] > 0) inCycle.push_back(all[i]->info().id);
    }
    std::string names;
    for (const auto& n : inCycle) names += (names.empty() ? "" : ", ") + n;
    return makeError("dependency cycle among checks: " + names);
  }

  // Selection: --only picks checks and pulls in their hard dependencies.
  std::set<std::string> selected;
  if (only.empty()) {
    for (const auto& c : all) selected.insert(c->info().id);
  } else {
    std::vector<std::string> work;
    for (const auto& c : all) {
      for (const auto& s : only) {
        if (matchesSelector(c->info(), s)) work.push_back(c->info().id);
      }
    }
    while (!work.empty()) {
      std::string id = work.back();
      work.pop_back();
      if (!selected.insert(id).second) continue;
      for (const auto& d : all[index[id]]->info().dependsOn) work.push_back(d);
    }
  }
  Plan plan;
  for (size_t i : order) {
    const auto& info = all[i]->info();
    if (!selected.count(info.id)) continue;
    bool userSkipped =
        std::any_of(skip.begin(), skip.end(), [&](const auto& s) { return matchesSelector(info, s); });
    if (userSkipped) plan.skippedByUser.insert(info.id);
    plan.checks.push_back(all[i]);
  }
  return plan;
}

namespace {

// State shared with worker threads. Held by shared_ptr so that a worker given up at the
// deadline can finish (and be ignored) without touching freed memory.
struct RunState {
  std::mutex mutex;
  std::condition_variable changed;
  std::map<std::string, CheckResult> done;
  target::Target target;
  RunConfig config;
  RunState(const target::Target& t, const RunConfig& c) : target(t), config(c) {}
};

struct Running {
  std::thread thread;
  TimePoint started;
  TimePoint deadline;
};

}  // namespace

std::vector<CheckResult> runPlan(const Plan& plan, const target::Target& target, const RunConfig& config,
                                 const ClockSource& clock, const RunSettings& settings) {
  auto state = std::make_shared<RunState>(target, config);
  std::set<std::string> planned;
  std::map<std::string, Running> running;
  std::set<std::string> pending;
  for (const auto& c : plan.checks) {
    const auto& info = c->info();
    planned.insert(info.id);
    if (plan.skippedByUser.count(info.id))
      state->done[info.id] = skipped(info, "skipped by --skip");
    else
      pending.insert(info.id);
  }
  const auto& userSkipped = plan.skippedByUser;
  auto isFinished = [&](const std::string& id) { return state->done.count(id) > 0; };

  auto notify = [&](const std::string& id, bool finished) {
    if (!settings.onCheckEvent) return;
    CheckEvent e;
    e.id = id;
    e.finished = finished;
    if (finished) {
      e.status = state->done[id].status;
      e.durationMs = state->done[id].durationMs;
    }
    settings.onCheckEvent(e);
  };

  std::unique_lock<std::mutex> lock(state->mutex);
  for (;;) {
    // Join workers that have finished.
    for (auto it = running.begin(); it != running.end();) {
      if (state->done.count(it->first)) {
        lock.unlock();
        it->second.thread.join();
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
        // (Not under AddressSanitizer, which owns the heap: there glibc's arenas hold only
        // libc's own allocations, and one ASan fleet run died in glibc's thread-exit arena
        // bookkeeping, `__malloc_arena_thread_freeres: a->attached_threads > 0`, with
        // several schedulers trimming at once.)
        // A finished check's buffers (DNS answers, certificates, libpq's connection) sit
        // free in glibc's arenas; hand them back before the next stage allocates its own.
        // Peak RSS of a full diagnose -0.15-0.2 MB (bench/RSS-NOTES.md); a few syscalls.
        ::malloc_trim(0);
#endif
        lock.lock();
        notify(it->first, true);
        it = running.erase(it);
      } else {
        ++it;
      }
    }
    const TimePoint now = clock.now();
    // Start every check whose dependencies are finished.
    for (const auto& c : plan.checks) {
      const auto& info = c->info();
      if (!pending.count(info.id)) continue;
      bool waiting = false;
      std::string blocker;
      util::ResultState blockedState = util::ResultState::NotVerified;
      for (const auto& d : info.dependsOn) {
        if (!isFinished(d)) {
          waiting = true;
          break;
        }
        if (userSkipped.count(d)) {
          blocker = d + " (skipped by --skip)";
          continue;
        }
        const Status st = state->done[d].status;
        const bool failedButUsable = st == Status::Fail && info.runAfterFailedDependency;
        if (blocker.empty() && !failedButUsable &&
            (st == Status::Fail || st == Status::Error || st == Status::Skip)) {
          blocker = d + " (" + std::string(toString(st)) + ")";
          // A dependency with nothing to check (cloud.context without cloud input) leaves
          // nothing to check here either.
          if (state->done[d].state() == util::ResultState::NotApplicable)
            blockedState = util::ResultState::NotApplicable;
        }
      }
      for (const auto& d : info.after) {
        if (planned.count(d) && !isFinished(d)) waiting = true;
      }
      if (waiting) continue;
      if (!blocker.empty()) {
        state->done[info.id] = skipped(info, "blocked by " + blocker);
        // Asked for, but what it would look at was not reachable: undecided, not absent.
        state->done[info.id].stateOverride = blockedState;
        pending.erase(info.id);
        continue;
      }
      if (now >= settings.deadline) {
        // A requested check that never ran leaves its step unverified: the warning keeps
        // the verdict from reading OK (reports::computeVerdict).
        auto notStarted = skipped(info, "not started: the run's --deadline was reached");
        notStarted.stateOverride = util::ResultState::NotVerified;
        notStarted.findings.push_back(
            {"engine.deadline_reached",
             Severity::Warning,
             "check " + info.id + " was not started: the run's --deadline was reached",
             {},
             "Raise --deadline (or lower --timeout) so every check can run."});
        state->done[info.id] = std::move(notStarted);
        pending.erase(info.id);
        continue;
      }
      if (static_cast<int>(running.size()) >= settings.maxParallel) continue;

      const Millis budget = std::max(info.timeout, config.probeTimeout + Millis(2000));
      const TimePoint checkDeadline = std::min(settings.deadline, now + budget);
      std::map<std::string, CheckResult> deps;
      for (const auto& d : info.dependsOn)
        deps[d] = state->done.count(d) ? state->done[d] : skipped(info, "");
      for (const auto& d : info.after) {
        if (state->done.count(d)) deps[d] = state->done[d];
      }
      pending.erase(info.id);
      Running r;
      r.started = now;
      r.deadline = checkDeadline;
      r.thread = std::thread([state, c, checkDeadline, &clock, deps = std::move(deps)]() mutable {
        const auto& ci = c->info();
        const TimePoint begin = clock.now();
        CheckResult result;
        try {
          CheckContext ctx(state->target, state->config, clock, checkDeadline, std::move(deps));
          result = c->run(ctx);
        } catch (const std::exception& e) {
          result = CheckResult{};
          result.status = Status::Error;
          result.summary = "the check failed inside pgreach: " + std::string(e.what());
          result.findings.push_back(
              {"engine.check_exception",
               Severity::Critical,
               "check " + ci.id + " stopped with an internal error",
               {e.what()},
               "This is a bug in pgreach: please report it with the JSON report attached."});
        } catch (...) {
          result = CheckResult{};
          result.status = Status::Error;
          result.summary = "the check failed inside pgreach";
        }
        // A code the check does not declare would reach reports with no catalogue entry:
        // say so in the report rather than fail the run (tests/src/engine/codes_test.cpp
        // keeps it from happening).
        for (const auto& code : undeclaredCodes(ci, result.findings)) {
          result.findings.push_back(
              {"engine.undeclared_code",
               Severity::Warning,
               "check " + ci.id + " emitted the undeclared finding code " + code,
               {code},
               "This is a bug in pgreach: please report it with the JSON report attached."});
        }
        result.id = ci.id;
        result.stage = ci.stage;
        result.durationMs = millisBetween(begin, clock.now());
        std::lock_guard<std::mutex> g(state->mutex);
        if (!state->done.count(ci.id)) state->done[ci.id] = std::move(result);
        state->changed.notify_all();
      });
      running.emplace(info.id, std::move(r));
      notify(info.id, false);
    }

    if (pending.empty() && running.empty()) break;

    // Give up on checks that overran their own deadline, or everything at the run's.
    TimePoint wakeAt = settings.deadline + settings.overrunGrace;
    for (auto it = running.begin(); it != running.end();) {
      const TimePoint giveUp =
          std::min(it->second.deadline + settings.overrunGrace, settings.deadline + settings.overrunGrace);
      if (clock.now() >= giveUp && !state->done.count(it->first)) {
        const auto& id = it->first;
        CheckResult r;
        r.id = id;
        for (const auto& c : plan.checks) {
          if (c->info().id == id) r.stage = c->info().stage;
        }
        r.status = Status::Error;
        r.durationMs = millisBetween(it->second.started, clock.now());
        r.summary = "did not return within its deadline";
        r.findings.push_back(
            {"engine.deadline_exceeded",
             Severity::Warning,
             "check " + id + " did not finish within its deadline and was abandoned",
             {"deadline: " + std::to_string(millisBetween(it->second.started, it->second.deadline)) + " ms"},
             "Raise --deadline or --timeout if the network is slow; otherwise report it as a bug."});
        state->done[id] = std::move(r);
        notify(id, true);
        it->second.thread.detach();
        it = running.erase(it);
        continue;
      }
      wakeAt = std::min(wakeAt, giveUp);
      ++it;
    }
    if (pending.empty() && running.empty()) break;
    if (!running.empty()) {
      // Steady-clock wait; the injectable clock decides deadlines, the CV just sleeps.
      const auto waitFor = std::max(Millis(1), std::chrono::duration_cast<Millis>(wakeAt - clock.now()));
      state->changed.wait_for(lock, std::min(waitFor, Millis(200)));
    }
  }

  std::vector<CheckResult> results;
  for (const auto& c : plan.checks) results.push_back(state->done[c->info().id]);
  lock.unlock();
  return results;
}

}  // namespace pgreach::engine
