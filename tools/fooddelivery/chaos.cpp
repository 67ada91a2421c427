// fooddelivery chaos: a no-loss checker in the spirit of Jepsen's queue checker.
//
// Customers place orders through the gateway (some cancelled at once, some rejected or
// accepted by the store's owner, some declined by the card simulator) while a killer picks
// a random part every --kill-every ms, SIGKILLs it through scripts/platform and starts it
// again. Only orders acknowledged with 201 count. Then the killing stops, everything is
// started, and the checker waits until every outbox is empty and every durable consumer has
// nothing pending or unacknowledged. Last, every acknowledged order is read back from every
// service's public API and from the stream, and must have reached one consistent state:
//
//   lost          the order, its OrderPlaced, its status view or its payment is missing,
//                 or it is stuck where nothing can move it any more;
//   duplicated    an event type twice for one order in the stream (a second charge or
//                 refund), or two notifications for one status;
//   inconsistent  the services disagree (order PAID but its payment CANCELED, the view's
//                 status not the order's, a notification missing for a status, ...), or the
//                 order did not end as the client's acknowledged action requires.
//
// Exit status: 0 when nothing was found, 1 for any anomaly or when the run itself failed,
// 2 for a usage error.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cerrno>
#include <cstdarg>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "arguments.hpp"
#include "load.hpp"
#include "platform/http_client.hpp"
#include "platform/messaging.hpp"

extern char** environ;

#ifndef FD_SOURCE_DIR
#define FD_SOURCE_DIR "."
#endif

namespace fd::cli {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// ------------------------------------------------------------------------- options ---

// What the client does with an order once it is acknowledged.
enum class Intent { Plain, Cancel, Reject, Accept, Decline };
constexpr Intent kIntents[] = {Intent::Plain, Intent::Cancel, Intent::Reject, Intent::Accept, Intent::Decline};

const char* name_of(Intent intent) {
  switch (intent) {
    case Intent::Plain: return "plain";
    case Intent::Cancel: return "cancel";
    case Intent::Reject: return "reject";
    case Intent::Accept: return "accept";
    case Intent::Decline: return "decline";
  }
  return "?";
}

struct ChaosOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8088;
  int orders = 200;
  int concurrency = 4;
  double rate = 10;        // acknowledged orders per second over all workers (0: as fast as they can)
  int kill_every_ms = 1000;
  int down_ms = 300;       // a killed part stays down a random 0..down_ms before the restart
  std::vector<std::string> parts{"nats", "order", "payment", "store", "customer", "rider", "auth"};
  std::uint64_t seed = 0;
  std::string script;
  std::string nats_url;
  std::map<std::string, std::uint16_t> service_ports;  // for /health (outboxPending)
  int drain_timeout_s = 120;
  int cancel_retry_s = 30;  // a customer taps "cancel" again for this long while it fails
  // intent → weight
  std::map<Intent, int> mix{{Intent::Plain, 45}, {Intent::Cancel, 20}, {Intent::Reject, 15}, {Intent::Accept, 10},
                            {Intent::Decline, 10}};
  bool json = false;
};

const std::vector<std::string> kServices{"auth", "order", "payment", "store", "customer", "rider"};

// ------------------------------------------------------------------------- HTTP ------

struct Reply {
  int status = 0;  // 0: no answer (refused, reset, timed out)
  boost::json::value body;
  std::string raw;
};

// One thread's connection to one origin; a failed call answers status 0 and the next call
// starts from a fresh connection.
class Client {
 public:
  Client(std::string host, std::uint16_t port, milliseconds timeout = std::chrono::seconds(10))
      : host_(std::move(host)), port_(port), timeout_(timeout) {}

  Reply call(const std::string& method, const std::string& target, const std::string& token = {},
             const std::string& body = {}) {
    Reply reply;
    try {
      if (!http_) http_ = std::make_unique<platform::HttpClient>(host_, port_, timeout_);
      platform::Headers headers;
      if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
      auto response = http_->send(method, target, body, headers);
      reply.status = response.status;
      reply.raw = std::move(response.body);
      boost::system::error_code ec;
      auto parsed = boost::json::parse(reply.raw, ec);
      if (!ec) reply.body = std::move(parsed);
    } catch (const std::exception& error) {
      http_.reset();
      reply.status = 0;
      reply.raw = error.what();
    }
    return reply;
  }

 private:
  std::string host_;
  std::uint16_t port_;
  milliseconds timeout_;
  std::unique_ptr<platform::HttpClient> http_;
};

std::string text_of(const boost::json::value& body, const char* field) {
  if (!body.is_object()) return {};
  auto* value = body.as_object().if_contains(field);
  if (!value) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_null()) return {};
  return boost::json::serialize(*value);
}

std::int64_t int_of(const boost::json::value& body, const char* field) {
  if (!body.is_object()) return 0;
  auto* value = body.as_object().if_contains(field);
  if (!value) return 0;
  if (value->is_int64()) return value->get_int64();
  if (value->is_uint64()) return static_cast<std::int64_t>(value->get_uint64());
  return 0;
}

std::string login(const ChaosOptions& options, const std::string& user) {
  Client client(options.host, options.port);
  Reply reply;
  auto deadline = Clock::now() + std::chrono::seconds(30);
  do {
    reply = client.call("POST", "/auth/login", {}, R"({"username":")" + user + R"(","password":"demo1234"})");
    if (reply.status == 200) return text_of(reply.body, "accessToken");
    std::this_thread::sleep_for(milliseconds(200));
  } while (Clock::now() < deadline);
  throw std::runtime_error("cannot log in as " + user + " through the gateway at " + options.host + ":" +
                           std::to_string(options.port) + " (HTTP " + std::to_string(reply.status) + "): " + reply.raw);
}

// ------------------------------------------------------------------ scripts/platform ---

struct ScriptRun {
  int status = -1;
  std::string output;
};

// Runs `bash <script> <command> [arg]` with this process's environment (the platform's FD_*).
ScriptRun run_script(const std::string& script, const std::string& command, const std::string& arg = {}) {
  ScriptRun result;
  std::string bash = "bash", path = script, cmd = command, argument = arg;
  std::vector<char*> argv{bash.data(), path.data(), cmd.data()};
  if (!argument.empty()) argv.push_back(argument.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
  pid_t pid = -1;
  int rc = ::posix_spawnp(&pid, "bash", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(pipe_fds[1]);
  if (rc != 0) {
    ::close(pipe_fds[0]);
    result.output = std::string("posix_spawn bash: ") + std::strerror(rc);
    return result;
  }
  char buffer[4096];
  for (;;) {
    ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
    if (n > 0) result.output.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0 || errno != EINTR) break;
  }
  ::close(pipe_fds[0]);
  int wstatus = 0;
  while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + (WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0);
  return result;
}

// ------------------------------------------------------------------------- records ---

struct Kill {
  double at_s;  // since the start of the run
  std::string part;
  bool ok;
};

struct Placed {
  std::int64_t id = 0;
  std::string customer;
  std::int64_t store = 0;
  Intent intent = Intent::Plain;
  double at_s = 0;
  // What the client got done: "" (nothing asked), "canceled", "rejected", "accepted", or why not.
  std::string outcome;
  bool done = false;  // the action was acknowledged (cancel 200, owner saw REJECTED/ACCEPTED)
};

struct Anomaly {
  std::int64_t order = 0;
  std::string kind;  // lost | duplicated | inconsistent
  std::string what;
};

// What every service (and the stream) says about one order.
struct Observed {
  Reply order, payment, cooking, view;
  std::map<std::string, int> notifications;        // status → how many
  std::map<std::string, std::string> note_states;  // status → delivery state
  std::map<std::string, int> events;               // event type → how many in the stream
  std::vector<std::string> event_ids;              // "seq:type"
};

std::string describe(const Placed& placed, const Observed& seen, const std::vector<Kill>& kills) {
  std::ostringstream out;
  auto status = [](const Reply& reply, const char* field = "status") {
    if (reply.status == 200) return text_of(reply.body, field);
    return "HTTP " + std::to_string(reply.status);
  };
  out << "    client:        " << placed.customer << " placed it at +" << static_cast<int>(placed.at_s * 10) / 10.0
      << "s in store " << placed.store << ", intent " << name_of(placed.intent)
      << (placed.outcome.empty() ? "" : ", " + placed.outcome) << "\n";
  out << "    order:         " << status(seen.order) << "\n";
  out << "    payment:       " << status(seen.payment) << "\n";
  out << "    foodCooking:   " << status(seen.cooking) << "\n";
  out << "    orderStatus:   " << status(seen.view);
  if (seen.view.status == 200) {
    out << " (paymentStatus " << (text_of(seen.view.body, "paymentStatus").empty() ? "null" : text_of(seen.view.body, "paymentStatus"))
        << "), timeline";
    if (auto* timeline = seen.view.body.as_object().if_contains("timeline"); timeline && timeline->is_array())
      for (const auto& step : timeline->as_array())
        out << " " << text_of(step, "eventType") << "→" << text_of(step, "status");
  }
  out << "\n    notifications:";
  if (seen.notifications.empty()) out << " none";
  for (const auto& [s, n] : seen.notifications)
    out << " " << s << (n > 1 ? "×" + std::to_string(n) : "") << "(" << seen.note_states.at(s) << ")";
  out << "\n    stream:       ";
  for (const auto& e : seen.event_ids) out << " " << e;
  out << "\n    kills near it:";
  int shown = 0;
  for (const auto& kill : kills)
    if (kill.at_s >= placed.at_s - 3 && kill.at_s <= placed.at_s + 15 && shown++ < 12)
      out << " " << kill.part << "@+" << static_cast<int>(kill.at_s * 10) / 10.0 << "s";
  if (shown == 0) out << " none";
  out << "\n";
  return out.str();
}

// ------------------------------------------------------------------------- the run ---

class Chaos {
 public:
  explicit Chaos(ChaosOptions options) : options_(std::move(options)) {}

  int run();

 private:
  void log(const char* format, ...) __attribute__((format(printf, 2, 3)));
  void worker(int index);
  void owner();
  void killer();
  bool drain(std::string& why);
  bool quiet(std::string& why, std::uint64_t& last_seq);
  std::vector<Anomaly> verify(std::vector<std::string>& details);
  double since_start() const { return std::chrono::duration<double>(Clock::now() - started_).count(); }

  ChaosOptions options_;
  Clock::time_point started_;
  std::map<std::string, std::string> tokens_;  // user → token

  std::mutex mutex_;  // guards placed_, owner_queue_, kills_, failures_
  std::vector<Placed> placed_;
  std::deque<std::size_t> owner_queue_;  // indexes into placed_
  std::vector<Kill> kills_;
  std::map<std::string, int> failures_;  // what went wrong on the client's side → how many

  std::atomic<int> tickets_{0};
  std::atomic<int> acknowledged_{0};
  std::atomic<int> attempts_{0};
  std::atomic<bool> placing_{true};
  std::atomic<bool> killing_{true};
  std::atomic<bool> owner_stop_{false};   // no more orders will come: finish the queue
  std::atomic<bool> owner_abort_{false};  // give up what is left
  std::atomic<int> owner_pending_{0};     // reject/accept intents not yet done
  std::atomic<int> kill_failures_{0};
  std::string last_kill_error_;
  Clock::time_point placing_deadline_;
  std::uint64_t first_seq_ = 0;  // the stream's last sequence before the run
  int unacknowledged_ = 0;       // orders placed whose 201 never reached the client
};

void Chaos::log(const char* format, ...) {
  if (options_.json) return;
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::fprintf(stderr, "[%6.1fs] %s\n", since_start(), line);
}

void Chaos::worker(int) {
  Client client(options_.host, options_.port);
  std::vector<Intent> wheel;
  for (const auto& [intent, weight] : options_.mix)
    for (int i = 0; i < weight; ++i) wheel.push_back(intent);
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(mutex_);
    ++failures_[what];
  };
  for (;;) {
    int ticket = tickets_++;
    if (ticket >= options_.orders) return;
    if (options_.rate > 0) {
      auto due = started_ + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(ticket / options_.rate));
      std::this_thread::sleep_until(due);
    }
    // What the n-th order is depends on the seed only, not on which worker takes it.
    std::mt19937_64 rng(options_.seed * 1000003 + static_cast<std::uint64_t>(ticket));
    Placed placed;
    placed.intent = wheel[rng() % wheel.size()];
    placed.customer = (ticket % 2 == 0) ? "customer1" : "customer2";
    placed.store = (rng() % 2 == 0) ? 1 : 2;
    std::int64_t menu = placed.store == 1 ? 101 : 202;
    // 99 of them is over the card simulator's limit (300,000 KRW): the payment is declined.
    std::int64_t qty = placed.intent == Intent::Decline ? 99 : 1 + static_cast<std::int64_t>(rng() % 2);
    auto body = boost::json::serialize(boost::json::object{{"storeId", placed.store},
                                                           {"items", {{{"menuId", menu}, {"qty", qty}}}},
                                                           {"address", "서울 강남구 테헤란로 152"},
                                                           {"lat", 37.5006},
                                                           {"lon", 127.0364}});
    const auto& token = tokens_.at(placed.customer);
    // Until this ticket is acknowledged: a failed POST (502/503/504, no answer) is simply a
    // request that did not count; the next attempt is a new order.
    for (;;) {
      if (Clock::now() > placing_deadline_) {
        fail("gave up placing: deadline passed");
        return;
      }
      ++attempts_;
      auto reply = client.call("POST", "/orders", token, body);
      if (reply.status == 201) {
        placed.id = int_of(reply.body, "orderId");
        placed.at_s = since_start();
        break;
      }
      fail("POST /orders → " + (reply.status ? std::to_string(reply.status) : std::string("no answer")));
      std::this_thread::sleep_for(milliseconds(reply.status == 0 || reply.status >= 500 ? 50 : 10));
    }
    ++acknowledged_;
    if (placed.intent == Intent::Cancel) {
      // Right away, while payment and the store may not have heard of it yet. A customer whose
      // tap failed taps again; a 409 is an answer too.
      auto target = "/orders/" + std::to_string(placed.id) + "/cancel";
      auto deadline = Clock::now() + std::chrono::seconds(options_.cancel_retry_s);
      placed.outcome = "cancel never answered";
      int tries = 0;
      while (tries == 0 || Clock::now() < deadline) {
        ++tries;
        auto reply = client.call("PUT", target, token);
        if (reply.status == 200) {
          placed.outcome = tries == 1 ? "canceled (200)" : "canceled (200 after " + std::to_string(tries) + " tries)";
          placed.done = true;
          break;
        }
        if (reply.status == 409) {
          auto detail = text_of(reply.body, "detail");
          if (detail.find("already CANCELED") != std::string::npos) {
            placed.outcome = "canceled (409 already CANCELED after " + std::to_string(tries) + " tries)";
            placed.done = true;
          } else {
            placed.outcome = "cancel refused: " + detail;
          }
          break;
        }
        fail("PUT cancel → " + (reply.status ? std::to_string(reply.status) : std::string("no answer")));
        std::this_thread::sleep_for(milliseconds(100));
      }
    }
    std::lock_guard lock(mutex_);
    placed_.push_back(placed);
    if (placed.intent == Intent::Reject || placed.intent == Intent::Accept) {
      owner_queue_.push_back(placed_.size() - 1);
      ++owner_pending_;
    }
  }
}

// The owners of stores 1 and 2 watch their lists and reject or accept what the customers'
// intents say, once the order reached them (after its payment).
void Chaos::owner() {
  Client client(options_.host, options_.port);
  std::map<std::size_t, Clock::time_point> next_try;
  for (;;) {
    std::vector<std::size_t> batch;
    {
      std::lock_guard lock(mutex_);
      if (owner_abort_) {
        for (auto i : owner_queue_)
          if (placed_[i].outcome.empty()) placed_[i].outcome = "never reached its owner's list";
        owner_queue_.clear();
        owner_pending_ = 0;
        return;
      }
      if (owner_queue_.empty() && owner_stop_) return;
      batch.assign(owner_queue_.begin(), owner_queue_.end());
      owner_queue_.clear();
    }
    bool asked = false;
    std::vector<std::size_t> again;
    for (auto i : batch) {
      if (auto it = next_try.find(i); it != next_try.end() && it->second > Clock::now()) {
        again.push_back(i);
        continue;
      }
      asked = true;
      Placed placed;
      {
        std::lock_guard lock(mutex_);
        placed = placed_[i];
      }
      const auto& token = tokens_.at(placed.store == 1 ? "owner1" : "owner2");
      auto target = "/foodCookings/" + std::to_string(placed.id);
      auto reply = client.call("GET", target, token);
      std::string outcome;
      if (reply.status == 200) {
        auto status = text_of(reply.body, "status");
        const char* wanted = placed.intent == Intent::Reject ? "REJECTED" : "ACCEPTED";
        if (status == wanted) {
          outcome = placed.intent == Intent::Reject ? "rejected by its owner" : "accepted by its owner";
        } else if (status == "REQUESTED") {
          // Whatever the answer, the next look tells whether it took.
          if (placed.intent == Intent::Reject)
            client.call("PUT", target + "/reject", token, R"({"reason":"재료 소진"})");
          else
            client.call("PUT", target + "/accept", token);
        } else {
          outcome = "its owner found it " + status;
        }
      }
      if (outcome.empty()) {
        next_try[i] = Clock::now() + milliseconds(reply.status == 200 ? 0 : 150);
        again.push_back(i);
        continue;
      }
      next_try.erase(i);
      std::lock_guard lock(mutex_);
      placed_[i].outcome = outcome;
      placed_[i].done = outcome.find("by its owner") != std::string::npos;
      --owner_pending_;
    }
    {
      std::lock_guard lock(mutex_);
      owner_queue_.insert(owner_queue_.end(), again.begin(), again.end());
    }
    if (!asked) std::this_thread::sleep_for(milliseconds(20));
  }
}

void Chaos::killer() {
  std::mt19937_64 rng(options_.seed * 104729 + 17);
  auto next = Clock::now() + milliseconds(options_.kill_every_ms);
  while (killing_) {
    if (Clock::now() < next) {
      std::this_thread::sleep_for(std::min<Clock::duration>(milliseconds(20), next - Clock::now()));
      continue;
    }
    next += milliseconds(options_.kill_every_ms);
    if (next < Clock::now()) next = Clock::now() + milliseconds(options_.kill_every_ms / 4);
    auto part = options_.parts[rng() % options_.parts.size()];
    double at = since_start();
    auto killed = run_script(options_.script, "kill", part);
    if (options_.down_ms > 0) std::this_thread::sleep_for(milliseconds(rng() % (options_.down_ms + 1)));
    auto started = run_script(options_.script, "start");
    bool ok = killed.status == 0 && started.status == 0;
    {
      std::lock_guard lock(mutex_);
      kills_.push_back({at, part, killed.status == 0});
      if (!ok) {
        ++kill_failures_;
        last_kill_error_ = killed.status != 0 ? "kill " + part + ": " + killed.output : "start: " + started.output;
      }
    }
    if (!ok) log("scripts/platform failed (%s): %s", killed.status != 0 ? "kill" : "start",
                 (killed.status != 0 ? killed.output : started.output).c_str());
  }
}

// Every service healthy with an empty outbox, every durable consumer with nothing pending or
// unacknowledged and bound to its service, and the stream not growing.
bool Chaos::quiet(std::string& why, std::uint64_t& last_seq) {
  for (const auto& service : kServices) {
    auto port = options_.service_ports.at(service);
    Client client("127.0.0.1", port, milliseconds(2000));
    auto reply = client.call("GET", "/health");
    if (reply.status != 200) {
      why = service + " /health → " + std::to_string(reply.status);
      return false;
    }
    if (auto pending = int_of(reply.body, "outboxPending"); pending != 0) {
      why = service + " has " + std::to_string(pending) + " events in its outbox";
      return false;
    }
    if (text_of(reply.body, "nats") != "connected") {
      why = service + " is not connected to NATS";
      return false;
    }
  }
  try {
    for (const auto& durable : kServices) {
      auto state = platform::consumer_state(options_.nats_url, durable);
      if (!state.exists) {
        why = "consumer " + durable + " does not exist";
        return false;
      }
      if (state.pending != 0 || state.unacknowledged != 0 || !state.bound) {
        why = "consumer " + durable + ": " + std::to_string(state.pending) + " pending, " +
              std::to_string(state.unacknowledged) + " unacknowledged" + (state.bound ? "" : ", not bound");
        return false;
      }
    }
    auto seq = platform::last_sequence(options_.nats_url);
    bool same = seq == last_seq;
    if (!same) why = "the stream grew to " + std::to_string(seq);
    last_seq = seq;
    return same;
  } catch (const std::exception& error) {
    why = error.what();
    return false;
  }
}

bool Chaos::drain(std::string& why) {
  auto deadline = Clock::now() + std::chrono::seconds(options_.drain_timeout_s);
  // Everything up again: a start right after the last kill may have failed.
  for (int attempt = 0;; ++attempt) {
    auto started = run_script(options_.script, "start");
    if (started.status == 0) break;
    if (attempt >= 4 || Clock::now() > deadline) {
      why = "scripts/platform start failed after the kills:\n" + started.output;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
  log("every part is up; draining (unacknowledged deliveries come back after the consumers' AckWait)");
  std::uint64_t last_seq = 0;
  int quiet_checks = 0;
  std::string reason, last_reason;
  auto last_report = Clock::now();
  std::optional<Clock::time_point> quiet_since;
  while (Clock::now() < deadline) {
    bool is_quiet = quiet(reason, last_seq);
    quiet_checks = is_quiet ? quiet_checks + 1 : 0;
    if (!is_quiet) quiet_since.reset();
    else if (!quiet_since) quiet_since = Clock::now();
    if (quiet_checks >= 3) {
      if (owner_pending_ == 0) return true;
      // Nothing moves any more, yet some orders never reached their owner's list: give the
      // owner a last look (a REQUESTED one makes the bus move again), then stop waiting.
      reason = std::to_string(owner_pending_.load()) + " orders to reject or accept never reached their owner's list";
      if (Clock::now() - *quiet_since > std::chrono::seconds(5)) {
        owner_abort_ = true;
        log("draining: %s; giving up on them", reason.c_str());
        return true;
      }
    }
    if (Clock::now() - last_report > std::chrono::seconds(5) && reason != last_reason) {
      log("draining: %s", reason.c_str());
      last_reason = reason;
      last_report = Clock::now();
    }
    std::this_thread::sleep_for(milliseconds(250));
  }
  owner_abort_ = true;
  why = "not drained after " + std::to_string(options_.drain_timeout_s) + " s: " + reason;
  return false;
}

std::vector<Anomaly> Chaos::verify(std::vector<std::string>& details) {
  std::vector<Anomaly> anomalies;
  // ---- the stream
  auto events = platform::read_stream(options_.nats_url);
  std::map<std::int64_t, std::map<std::string, int>> by_order;
  std::map<std::int64_t, std::vector<std::string>> ids_by_order;
  std::set<std::string> seen_ids;
  int duplicate_ids = 0;
  for (const auto& event : events) {
    if (!event.id.empty() && !seen_ids.insert(event.id).second) ++duplicate_ids;
    auto* order = event.body.if_contains("orderId");
    if (!order || !order->is_int64()) continue;
    ++by_order[order->get_int64()][event.type];
    ids_by_order[order->get_int64()].push_back(std::to_string(event.seq) + ":" + event.type);
  }
  log("read %zu events from the stream", events.size());
  {
    std::set<std::int64_t> acknowledged;
    std::lock_guard lock(mutex_);
    for (const auto& p : placed_) acknowledged.insert(p.id);
    for (const auto& event : events)
      if (event.seq > first_seq_ && event.type == "OrderPlaced")
        if (auto* id = event.body.if_contains("orderId"); id && id->is_int64() && !acknowledged.contains(id->get_int64()))
          ++unacknowledged_;
  }

  // ---- every service's view of each acknowledged order, read by a few threads
  std::vector<Placed> placed;
  {
    std::lock_guard lock(mutex_);
    placed = placed_;
  }
  std::vector<Observed> seen(placed.size());
  std::atomic<std::size_t> next{0};
  auto read_orders = [&] {
    Client client(options_.host, options_.port);
    for (std::size_t i; (i = next++) < placed.size();) {
      const auto& p = placed[i];
      auto id = std::to_string(p.id);
      const auto& customer = tokens_.at(p.customer);
      const auto& owner = tokens_.at(p.store == 1 ? "owner1" : "owner2");
      auto get = [&](const std::string& target, const std::string& token) {
        Reply reply;
        for (int attempt = 0; attempt < 20; ++attempt) {
          reply = client.call("GET", target, token);
          if (reply.status == 200 || reply.status == 404) break;
          std::this_thread::sleep_for(milliseconds(100));
        }
        return reply;
      };
      seen[i].order = get("/orders/" + id, customer);
      seen[i].payment = get("/payments/" + id, customer);
      seen[i].cooking = get("/foodCookings/" + id, owner);
      seen[i].view = get("/orderStatuses/" + id, customer);
    }
  };
  // ---- every notification of both customers, by id (the list shows the newest 100 only)
  std::map<std::int64_t, std::vector<std::pair<std::string, std::string>>> notes;  // order → (status, state)
  std::int64_t max_note = 0;
  {
    Client client(options_.host, options_.port);
    for (const char* customer : {"customer1", "customer2"}) {
      auto reply = client.call("GET", "/notifications", tokens_.at(customer));
      if (reply.status != 200) throw std::runtime_error("GET /notifications as " + std::string(customer) + " → " +
                                                        std::to_string(reply.status) + ": " + reply.raw);
      const auto* list = reply.body.as_object().at("_embedded").as_object().if_contains("notifications");
      if (list && list->is_array() && !list->as_array().empty())
        max_note = std::max(max_note, int_of(list->as_array().front(), "notificationId"));
    }
  }
  std::mutex notes_mutex;
  std::atomic<std::int64_t> next_note{1};
  std::atomic<int> unreadable{0};
  auto read_notes = [&] {
    Client client(options_.host, options_.port);
    for (std::int64_t id; (id = next_note++) <= max_note;) {
      auto target = "/notifications/" + std::to_string(id);
      for (const char* customer : {"customer1", "customer2"}) {
        Reply reply;
        for (int attempt = 0; attempt < 20; ++attempt) {
          reply = client.call("GET", target, tokens_.at(customer));
          if (reply.status == 200 || reply.status == 404) break;
          std::this_thread::sleep_for(milliseconds(100));
        }
        if (reply.status == 200) {
          std::lock_guard lock(notes_mutex);
          notes[int_of(reply.body, "orderId")].emplace_back(text_of(reply.body, "status"), text_of(reply.body, "state"));
          break;
        }
        if (reply.status != 404) ++unreadable;
      }
    }
  };
  const int threads = std::max(2, std::min(options_.concurrency, 8));
  {
    std::vector<std::thread> readers;
    for (int t = 0; t < threads; ++t) {
      readers.emplace_back(read_orders);
      readers.emplace_back(read_notes);
    }
    for (auto& reader : readers) reader.join();
  }
  // A message still waiting for its first delivery attempt is not an anomaly yet: read again
  // for a while (a sender restarted by the last kill works through its backlog).
  std::set<std::int64_t> ours;
  for (const auto& p : placed) ours.insert(p.id);
  auto waiting = [&] {
    for (const auto& [order, list] : notes)
      if (ours.contains(order))
        for (const auto& [status, state] : list)
          if (state == "PENDING") return true;
    return false;
  };
  for (int round = 0; round < 30 && waiting(); ++round) {
    std::this_thread::sleep_for(std::chrono::seconds(1));
    notes.clear();
    next_note = 1;
    std::vector<std::thread> readers;
    for (int t = 0; t < threads; ++t) readers.emplace_back(read_notes);
    for (auto& reader : readers) reader.join();
  }
  if (unreadable) throw std::runtime_error(std::to_string(unreadable.load()) + " notifications could not be read");
  log("read %zu orders from order, payment, store and customer, and %lld notifications", placed.size(),
      static_cast<long long>(max_note));

  std::vector<Kill> kills;
  {
    std::lock_guard lock(mutex_);
    kills = kills_;
  }
  std::set<std::int64_t> ids;
  for (std::size_t i = 0; i < placed.size(); ++i) {
    const auto& p = placed[i];
    auto& s = seen[i];
    s.events = by_order[p.id];
    s.event_ids = ids_by_order[p.id];
    for (const auto& [status, state] : notes[p.id]) {
      ++s.notifications[status];
      s.note_states[status] = state;
    }
    std::vector<Anomaly> found;
    auto flag = [&](const char* kind, std::string what) { found.push_back({p.id, kind, std::move(what)}); };
    auto count = [&](const char* type) {
      auto it = s.events.find(type);
      return it == s.events.end() ? 0 : it->second;
    };
    if (!ids.insert(p.id).second) flag("duplicated", "two 201 answers carried the same orderId");

    // -- lost
    if (s.order.status != 200) flag("lost", "GET /orders/" + std::to_string(p.id) + " → " + std::to_string(s.order.status));
    if (count("OrderPlaced") == 0) flag("lost", "no OrderPlaced in the stream");
    if (s.view.status != 200) flag("lost", "no status view (GET /orderStatuses → " + std::to_string(s.view.status) + ")");
    // -- duplicated: in this run every event type happens at most once per order
    for (const auto& [type, n] : s.events)
      if (n > 1) flag("duplicated", std::to_string(n) + " × " + type + " in the stream");
    for (const auto& [status, n] : s.notifications)
      if (n > 1) flag("duplicated", std::to_string(n) + " notifications for " + status);

    if (s.order.status == 200) {
      auto order = text_of(s.order.body, "status");
      auto payment = s.payment.status == 200 ? text_of(s.payment.body, "status") : std::string("none");
      auto cooking = s.cooking.status == 200 ? text_of(s.cooking.body, "status") : std::string("none");
      auto view = s.view.status == 200 ? text_of(s.view.body, "status") : std::string("none");
      auto view_payment = s.view.status == 200 ? text_of(s.view.body, "paymentStatus") : std::string();
      if (view_payment.empty()) view_payment = "none";
      int approved = count("PaymentApproved"), failed = count("PaymentFailed"), refunded = count("PaymentCanceled");

      // -- the order's status decides what every other service must say
      // Canceled before payment heard of it: payment keeps a row that forbids the late charge,
      // shown to the customer as CANCELED (or, in older versions, not shown: 404); there was
      // no charge, so no PaymentCanceled either, and the view has no payment status.
      bool uncharged_cancel =
          order == "CANCELED" && approved == 0 && refunded == 0 && (payment == "none" || payment == "CANCELED");
      std::string want_payment, want_cooking;
      if (order == "PLACED") {
        flag("lost", "still PLACED after the drain: its payment never came back");
      } else if (order == "PAID") {
        want_payment = "APPROVED", want_cooking = "REQUESTED";
      } else if (order == "ACCEPTED") {
        want_payment = "APPROVED", want_cooking = "ACCEPTED";
      } else if (order == "PAYMENT_FAILED") {
        want_payment = "FAILED", want_cooking = "none";
      } else if (order == "REJECTED") {
        want_payment = "CANCELED", want_cooking = "REJECTED";
      } else if (order == "CANCELED") {
        // Charged before the cancel: refunded. Canceled before payment heard of it: never
        // charged (see uncharged_cancel).
        want_payment = approved ? "CANCELED" : failed ? "FAILED" : payment == "CANCELED" ? "CANCELED" : "none";
        if (cooking != "CANCELED" && cooking != "none")
          flag("inconsistent", "order CANCELED but the store has it " + cooking);
      } else {
        flag("inconsistent", "unexpected order status " + order);
      }
      if (!want_payment.empty() && payment != want_payment)
        flag("inconsistent", "order " + order + " but payment " + payment + " (expected " + want_payment + ")");
      if (!want_cooking.empty() && cooking != want_cooking)
        flag("inconsistent", "order " + order + " but the store's foodCooking " + cooking + " (expected " +
                                 want_cooking + ")");
      if (s.view.status == 200 && view != order) flag("inconsistent", "order " + order + " but the status view " + view);
      if (s.view.status == 200 && view_payment != (uncharged_cancel ? std::string("none") : payment))
        flag("inconsistent", "payment " + payment + " but the status view's paymentStatus " + view_payment);

      // -- the stream agrees with the payment: one charge or decline, a refund only of a charge
      if (approved + failed > 1) flag("duplicated", "charged or declined more than once");
      if (payment == "APPROVED" && (approved != 1 || refunded != 0))
        flag("inconsistent", "payment APPROVED but the stream has " + std::to_string(approved) + " PaymentApproved, " +
                                 std::to_string(refunded) + " PaymentCanceled");
      if (payment == "CANCELED" && !uncharged_cancel && (approved != 1 || refunded != 1))
        flag("inconsistent", "payment CANCELED but the stream has " + std::to_string(approved) +
                                 " PaymentApproved, " + std::to_string(refunded) + " PaymentCanceled");
      if (payment == "FAILED" && (failed != 1 || approved != 0))
        flag("inconsistent", "payment FAILED but the stream has " + std::to_string(failed) + " PaymentFailed, " +
                                 std::to_string(approved) + " PaymentApproved");
      if (payment == "none" && (approved != 0 || refunded != 0))
        flag("lost", "no payment visible, yet the stream has " + std::to_string(approved) + " PaymentApproved, " +
                         std::to_string(refunded) + " PaymentCanceled");
      if (refunded && !approved) flag("inconsistent", "refunded without a charge");
      if (order == "CANCELED" && count("OrderCanceled") != 1)
        flag("inconsistent", "order CANCELED with " + std::to_string(count("OrderCanceled")) + " OrderCanceled");
      if (order == "REJECTED" && count("OrderRejected") != 1)
        flag("inconsistent", "order REJECTED with " + std::to_string(count("OrderRejected")) + " OrderRejected");

      // -- what the client was told must have happened
      const std::string& outcome = p.outcome;
      switch (p.intent) {
        case Intent::Plain:
          if (order != "PAID") flag("inconsistent", "an order placed and left alone ended " + order + ", not PAID");
          break;
        case Intent::Decline:
          if (order != "PAYMENT_FAILED") flag("inconsistent", "an order over the card limit ended " + order);
          break;
        case Intent::Cancel:
          if (p.done && order != "CANCELED") flag("inconsistent", "the cancel was acknowledged but the order is " + order);
          if (!p.done) flag("inconsistent", "the cancel never succeeded: " + outcome);
          break;
        case Intent::Reject:
        case Intent::Accept: {
          const char* wanted = p.intent == Intent::Reject ? "REJECTED" : "ACCEPTED";
          if (!p.done) flag("lost", "the owner could not " + std::string(p.intent == Intent::Reject ? "reject" : "accept") +
                                        " it: " + (outcome.empty() ? "never reached the owner's list" : outcome));
          else if (order != wanted)
            flag("inconsistent", std::string("the store ") + (p.intent == Intent::Reject ? "rejected" : "accepted") +
                                     " it but the order is " + order);
          break;
        }
      }

      // -- the view applied every event of the order, except a status change after a final
      //    status (PaymentApproved after a cancel, say), which it ignores by design
      if (s.view.status == 200) {
        static const std::set<std::string> followed{"OrderPlaced",    "PaymentApproved", "PaymentFailed",
                                                    "OrderAccepted",  "OrderRejected",   "OrderCanceled",
                                                    "PaymentCanceled"};
        static const std::set<std::string> payment_only{"PaymentCanceled"};
        static const std::set<std::string> finals{"PAYMENT_FAILED", "REJECTED", "CANCELED", "DELIVERED"};
        std::set<std::string> applied;
        bool reached_final = false;
        if (auto* timeline = s.view.body.as_object().if_contains("timeline"); timeline && timeline->is_array())
          for (const auto& step : timeline->as_array()) {
            applied.insert(text_of(step, "eventType"));
            if (finals.contains(text_of(step, "status"))) reached_final = true;
          }
        for (const auto& [type, n] : s.events)
          if (followed.contains(type) && !applied.contains(type) && (payment_only.contains(type) || !reached_final))
            flag("lost", "the status view never applied " + type + ", which is in the stream");
      }

      // -- notifications: one per status of the view's timeline, each delivered
      if (s.view.status == 200) {
        std::set<std::string> statuses;
        if (auto* timeline = s.view.body.as_object().if_contains("timeline"); timeline && timeline->is_array())
          for (const auto& step : timeline->as_array()) statuses.insert(text_of(step, "status"));
        for (const auto& status : statuses)
          if (!s.notifications.contains(status)) flag("lost", "no notification for " + status);
        for (const auto& [status, n] : s.notifications)
          if (!statuses.contains(status)) flag("inconsistent", "a notification for " + status + ", not in the timeline");
        for (const auto& [status, state] : s.note_states)
          if (state != "RECORDED" && state != "SENT")
            flag("inconsistent", "the notification for " + status + " is still " + state);
      }
    }
    if (!found.empty()) {
      std::ostringstream head;
      head << "order " << p.id << ":";
      for (const auto& a : found) head << "\n  [" << a.kind << "] " << a.what;
      details.push_back(head.str() + "\n" + describe(p, s, kills));
      anomalies.insert(anomalies.end(), found.begin(), found.end());
    }
  }
  if (duplicate_ids) {
    anomalies.push_back({0, "duplicated", std::to_string(duplicate_ids) + " events stored twice under one Nats-Msg-Id"});
    details.push_back("stream: " + std::to_string(duplicate_ids) + " events stored twice under one Nats-Msg-Id");
  }
  return anomalies;
}

int Chaos::run() {
  started_ = Clock::now();
  try {
    first_seq_ = platform::last_sequence(options_.nats_url);
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("cannot reach the platform's NATS (use --nats): ") + error.what());
  }
  for (const char* user : {"customer1", "customer2", "owner1", "owner2"}) tokens_[user] = login(options_, user);
  double expected_s = options_.rate > 0 ? options_.orders / options_.rate : options_.orders / 20.0;
  placing_deadline_ = Clock::now() + std::chrono::seconds(static_cast<int>(expected_s * 3) + 120);
  log("placing %d orders (rate %.0f/s, %d workers) while killing one of %zu parts every %d ms (seed %llu)",
      options_.orders, options_.rate, options_.concurrency, options_.parts.size(), options_.kill_every_ms,
      static_cast<unsigned long long>(options_.seed));

  std::thread killer_thread([this] { killer(); });
  std::thread owner_thread([this] { owner(); });
  std::vector<std::thread> workers;
  for (int w = 0; w < options_.concurrency; ++w) workers.emplace_back([this, w] { worker(w); });
  std::atomic<bool> workers_done{false};
  std::thread joiner([&] {
    for (auto& w : workers) w.join();
    workers_done = true;
  });
  auto last = Clock::now();
  while (!workers_done) {
    std::this_thread::sleep_for(milliseconds(100));
    if (Clock::now() - last >= std::chrono::seconds(isatty(STDERR_FILENO) ? 1 : 5)) {
      last = Clock::now();
      std::size_t kills;
      std::string last_part;
      {
        std::lock_guard lock(mutex_);
        kills = kills_.size();
        if (!kills_.empty()) last_part = kills_.back().part;
      }
      log("acknowledged %d/%d orders in %d attempts, %zu kills (last: %s)", acknowledged_.load(), options_.orders,
          attempts_.load(), kills, last_part.empty() ? "none" : last_part.c_str());
    }
  }
  joiner.join();
  killing_ = false;
  killer_thread.join();
  double placing_s = since_start();
  std::size_t kill_count;
  {
    std::lock_guard lock(mutex_);
    kill_count = kills_.size();
  }
  log("placed %d orders in %.1f s with %zu kills; the killing stops", acknowledged_.load(), placing_s, kill_count);

  std::string why;
  owner_stop_ = true;
  bool drained = drain(why);
  owner_thread.join();
  double drained_s = since_start();
  if (drained) log("drained in %.1f s", drained_s - placing_s);
  else log("%s", why.c_str());

  std::vector<std::string> details;
  std::vector<Anomaly> anomalies;
  std::string error;
  try {
    anomalies = verify(details);
  } catch (const std::exception& e) {
    error = std::string("verification failed: ") + e.what();
  }
  double total_s = since_start();

  std::map<std::string, std::set<std::int64_t>> by_kind;
  for (const auto& a : anomalies) by_kind[a.kind].insert(a.order);
  std::map<std::string, int> kills_by_part, intents, outcomes;
  std::vector<Kill> kills;
  std::map<std::string, int> failures;
  std::vector<Placed> placed;
  {
    std::lock_guard lock(mutex_);
    kills = kills_;
    failures = failures_;
    placed = placed_;
  }
  for (const auto& k : kills) ++kills_by_part[k.part];
  for (const auto& p : placed) ++intents[name_of(p.intent)];
  int acknowledged = static_cast<int>(placed.size());
  bool complete = acknowledged == options_.orders;
  bool ok = anomalies.empty() && error.empty() && drained && complete;

  auto lost = by_kind["lost"].size(), duplicated = by_kind["duplicated"].size(),
       inconsistent = by_kind["inconsistent"].size();
  if (options_.json) {
    boost::json::object out{{"orders", acknowledged},
                            {"ordersRequested", options_.orders},
                            {"attempts", attempts_.load()},
                            {"kills", static_cast<std::int64_t>(kills.size())},
                            {"killFailures", kill_failures_.load()},
                            {"lost", lost},
                            {"duplicated", duplicated},
                            {"inconsistent", inconsistent},
                            {"unacknowledgedPlaced", unacknowledged_},
                            {"drained", drained},
                            {"placingSeconds", placing_s},
                            {"drainSeconds", drained_s - placing_s},
                            {"totalSeconds", total_s},
                            {"seed", options_.seed},
                            {"verdict", ok ? "ok" : "FAILED"}};
    boost::json::object parts, mix, fails;
    for (const auto& [part, n] : kills_by_part) parts[part] = n;
    for (const auto& [intent, n] : intents) mix[intent] = n;
    for (const auto& [what, n] : failures) fails[what] = n;
    out["killsByPart"] = std::move(parts);
    out["intents"] = std::move(mix);
    out["clientFailures"] = std::move(fails);
    boost::json::array list;
    for (const auto& a : anomalies) list.push_back({{"orderId", a.order}, {"kind", a.kind}, {"what", a.what}});
    out["anomalies"] = std::move(list);
    boost::json::array text;
    for (const auto& d : details) text.push_back(boost::json::string(d));
    out["details"] = std::move(text);
    if (!drained) out["drainError"] = why;
    if (!error.empty()) out["error"] = error;
    std::printf("%s\n", boost::json::serialize(out).c_str());
    return ok ? 0 : 1;
  }

  std::printf("\nNo-loss check: %d orders acknowledged with 201 (%d POST attempts), %zu kills in %.1f s, drained in "
              "%.1f s, verified in %.1f s (seed %llu)\n",
              acknowledged, attempts_.load(), kills.size(), placing_s, drained_s - placing_s, total_s - drained_s,
              static_cast<unsigned long long>(options_.seed));
  std::printf("  kills:   ");
  for (const auto& [part, n] : kills_by_part) std::printf(" %s=%d", part.c_str(), n);
  if (kill_failures_) std::printf("  (%d kill/start commands failed; last: %s)", kill_failures_.load(), last_kill_error_.c_str());
  std::printf("\n  intents: ");
  for (const auto& [intent, n] : intents) std::printf(" %s=%d", intent.c_str(), n);
  std::printf("\n  failed client requests (not counted):");
  if (failures.empty()) std::printf(" none");
  for (const auto& [what, n] : failures) std::printf(" [%s]×%d", what.c_str(), n);
  std::printf("\n  orders placed whose 201 was lost on the way (killed between commit and answer; not counted): %d\n",
              unacknowledged_);
  for (const auto& d : details) std::printf("\n%s", d.c_str());
  if (!drained) std::printf("\nDRAIN FAILED: %s\n", why.c_str());
  if (!error.empty()) std::printf("\n%s\n", error.c_str());
  if (!complete) std::printf("\nonly %d of %d orders were acknowledged\n", acknowledged, options_.orders);
  std::set<std::int64_t> anomalous;
  for (const auto& a : anomalies) anomalous.insert(a.order);
  std::printf("\norders acknowledged %d, kills %zu, lost %zu, duplicated %zu, inconsistent %zu\n", acknowledged,
              kills.size(), lost, duplicated, inconsistent);
  if (!anomalous.empty()) std::printf("orders with an anomaly: %zu of %d\n", anomalous.size(), acknowledged);
  std::printf("verdict: %s\n", ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}

void usage(std::FILE* out) {
  std::fprintf(out,
               "usage: fooddelivery chaos [--orders N] [--concurrency C] [--rate R] [--kill-every MS] [--down MS]\n"
               "                          [--parts LIST] [--seed S] [--platform-script PATH] [--gateway URL]\n"
               "                          [--nats URL] [--drain-timeout S] [--mix LIST] [--cancel-retry S] [--json]\n"
               "\n"
               "The no-loss checker. Customers place N orders through the gateway (some cancelled at once,\n"
               "some rejected or accepted by the owner, some declined by the card simulator) while a random\n"
               "part is killed with SIGKILL and started again every --kill-every ms. Then everything is\n"
               "started, drained (outboxes empty, consumers caught up), and every order acknowledged with\n"
               "201 is checked in every service and in the stream: none lost, none charged, refunded or\n"
               "notified twice, all services agreeing. Exit status 1 on any anomaly.\n"
               "\n"
               "Runs against the platform that scripts/platform manages with the FD_* variables of this\n"
               "environment (FD_DATA_DIR, FD_RUN_DIR, FD_BUILD_DIR, FD_<PART>_PORT), as `make up` does.\n"
               "\n"
               "  --orders N           orders to get acknowledged (default 200)\n"
               "  --concurrency C      customer workers (default 4)\n"
               "  --rate R             acknowledged orders per second, 0 for as fast as possible (default 10)\n"
               "  --kill-every MS      a kill every MS milliseconds (default 1000)\n"
               "  --down MS            a killed part stays down up to MS ms, at random (default 300)\n"
               "  --parts LIST         what may be killed (default nats,order,payment,store,customer,rider,auth;\n"
               "                       gateway is allowed too)\n"
               "  --seed S             random seed for the order mix and the kills (default: random)\n"
               "  --platform-script P  scripts/platform (default $FD_PLATFORM_SCRIPT or %s/scripts/platform)\n"
               "  --gateway URL        the gateway (default http://127.0.0.1:$FD_GATEWAY_PORT or :8088)\n"
               "  --nats URL           NATS (default $FD_NATS_URL or nats://127.0.0.1:$FD_NATS_PORT or :4222)\n"
               "  --drain-timeout S    how long the drain may take (default 120)\n"
               "  --mix LIST           intent weights, e.g. plain:45,cancel:20,reject:15,accept:10,decline:10\n"
               "  --cancel-retry S     a failed cancel is tapped again for S seconds (default 30; 0: once)\n"
               "  --json               one JSON object with the verdict instead of the text report\n",
               FD_SOURCE_DIR);
}

std::uint16_t env_port(const char* name, std::uint16_t fallback) {
  const char* value = std::getenv(name);
  if (!value || !*value) return fallback;
  int port = std::atoi(value);
  return port > 0 && port < 65536 ? static_cast<std::uint16_t>(port) : fallback;
}

}  // namespace

int chaos(int argc, char** argv) {
  ChaosOptions options;
  options.port = env_port("FD_GATEWAY_PORT", 8088);
  options.seed = std::random_device{}();
  if (const char* script = std::getenv("FD_PLATFORM_SCRIPT"); script && *script) options.script = script;
  else options.script = std::string(FD_SOURCE_DIR) + "/scripts/platform";
  if (const char* url = std::getenv("FD_NATS_URL"); url && *url) options.nats_url = url;
  else options.nats_url = "nats://127.0.0.1:" + std::to_string(env_port("FD_NATS_PORT", 4222));
  const std::map<std::string, std::uint16_t> defaults{{"auth", 8081},  {"order", 8082},    {"payment", 8083},
                                                      {"store", 8084}, {"customer", 8085}, {"rider", 8086}};
  for (const auto& [service, port] : defaults) {
    std::string var = "FD_";
    for (char c : service) var += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    var += "_PORT";
    options.service_ports[service] = env_port(var.c_str(), port);
  }
  try {
    Arguments args(argc, argv, 1);
    while (args.next()) {
      auto& arg = args.flag();
      auto value = [&] { return args.value(); };
      auto number = [&](long long min) { return args.number(min); };
      if (arg == "--help" || arg == "-h") {
        usage(stdout);
        return 0;
      } else if (arg == "--orders" || arg == "-n") {
        options.orders = static_cast<int>(number(1));
      } else if (arg == "--concurrency" || arg == "-c") {
        options.concurrency = static_cast<int>(number(1));
      } else if (arg == "--rate") {
        options.rate = static_cast<double>(number(0));
      } else if (arg == "--kill-every") {
        options.kill_every_ms = static_cast<int>(number(50));
      } else if (arg == "--down") {
        options.down_ms = static_cast<int>(number(0));
      } else if (arg == "--parts") {
        static const std::set<std::string> known{"nats", "gateway", "auth", "order", "payment", "store", "customer",
                                                 "rider"};
        options.parts.clear();
        std::stringstream list(value());
        for (std::string part; std::getline(list, part, ',');) {
          if (part.empty()) continue;
          if (!known.contains(part)) throw std::invalid_argument("unknown part '" + part + "' in --parts");
          options.parts.push_back(part);
        }
        if (options.parts.empty()) throw std::invalid_argument("--parts names no part");
      } else if (arg == "--seed") {
        options.seed = static_cast<std::uint64_t>(number(0));
      } else if (arg == "--platform-script") {
        options.script = value();
      } else if (arg == "--gateway") {
        std::tie(options.host, options.port) = parse_origin(value());
      } else if (arg == "--nats") {
        options.nats_url = value();
      } else if (arg == "--drain-timeout") {
        options.drain_timeout_s = static_cast<int>(number(1));
      } else if (arg == "--mix") {
        std::map<Intent, int> mix;
        std::stringstream list(value());
        for (std::string part; std::getline(list, part, ',');) {
          auto colon = part.find(':');
          auto name = part.substr(0, colon);
          auto* intent = std::find_if(std::begin(kIntents), std::end(kIntents),
                                      [&](Intent candidate) { return name == name_of(candidate); });
          if (intent == std::end(kIntents))
            throw std::invalid_argument("unknown intent '" + name + "' in --mix (plain, cancel, reject, accept, decline)");
          int weight = 1;
          if (colon != std::string::npos) weight = std::atoi(part.c_str() + colon + 1);
          if (weight < 0) throw std::invalid_argument("negative weight in --mix");
          if (weight > 0) mix[*intent] = weight;
        }
        if (mix.empty()) throw std::invalid_argument("--mix names no intent");
        options.mix = mix;
      } else if (arg == "--cancel-retry") {
        options.cancel_retry_s = static_cast<int>(number(0));
      } else if (arg == "--json") {
        options.json = true;
      } else {
        throw std::invalid_argument("unknown option " + arg);
      }
    }
    if (::access(options.script.c_str(), R_OK) != 0)
      throw std::invalid_argument("scripts/platform not found at " + options.script + " (use --platform-script)");
  } catch (const std::invalid_argument& error) {
    std::fprintf(stderr, "fooddelivery chaos: %s\n\n", error.what());
    usage(stderr);
    return 2;
  }
  try {
    return Chaos(options).run();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fooddelivery chaos: %s\n", error.what());
    return 1;
  }
}

}  // namespace fd::cli
