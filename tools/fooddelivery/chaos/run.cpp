#include "run.hpp"

#include <unistd.h>

#include <boost/json.hpp>
#include <cstdarg>
#include <cstdio>
#include <optional>
#include <random>
#include <thread>

#include "contracts/status.hpp"
#include "platform/messaging.hpp"
#include "report.hpp"
#include "verify.hpp"

namespace fd::cli::chaos {

using std::chrono::milliseconds;

void Log::operator()(const char* format, ...) const {
  if (silent_) return;
  char line[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(line, sizeof line, format, args);
  va_end(args);
  std::fprintf(stderr, "[%6.1fs] %s\n", since_start(), line);
}

int run(const Options& options) { return Run(options).run(); }

Run::Run(Options options)
    : options_(std::move(options)),
      script_(options_.script),
      log_(options_.json, Clock::now()),
      started_(Clock::now()) {}

void Run::customer() {
  Client client(options_.gateway);
  std::vector<Intent> wheel;
  for (const auto& [intent, weight] : options_.mix)
    for (int i = 0; i < weight; ++i) wheel.push_back(intent);
  auto fail = [&](const std::string& what) {
    std::lock_guard lock(mutex_);
    ++failures_[what];
  };
  for (;;) {
    if (placed_enough()) return;
    int ticket = tickets_++;
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
    // One Idempotency-Key per order: a POST whose answer was lost (no answer, 502, 503, 504)
    // is sent again with it, so the retry cannot place the order a second time. An order
    // still unanswered after OrderAttempts::kMaxAttempts is given up; the next ticket is a
    // new order.
    OrderAttempts order;
    Reply reply;
    int posts = 0;
    for (;;) {
      if (Clock::now() > placing_deadline_) {
        fail("gave up placing: deadline passed");
        if (posts > 0) ++given_up_;
        return;
      }
      ++attempts_;
      ++posts;
      reply = client.call("POST", "/orders", token, body, order.headers());
      if (reply.status == 201) break;
      fail("POST /orders → " + (reply.status ? std::to_string(reply.status) : std::string("no answer")));
      if (!order.again(reply.status)) break;
    }
    if (reply.status != 201) {
      fail("gave up an order after " + std::to_string(posts) + " attempts");
      ++given_up_;
      continue;
    }
    placed.id = int_of(reply.json(), "orderId");
    placed.at_s = log_.since_start();
    ++(posts == 1 ? first_attempt_ : after_retries_);
    ++acknowledged_;
    if (placed.intent == Intent::Cancel) {
      // Right away, while payment and the store may not have heard of it yet. A customer whose
      // tap failed taps again; a 409 is an answer too.
      auto target = "/orders/" + std::to_string(placed.id) + "/cancel";
      auto deadline = Clock::now() + std::chrono::seconds(options_.cancel_retry_s);
      const auto already = std::string("already ") + contracts::order_status::Canceled;
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
          auto detail = text_of(reply.json(), "detail");
          if (detail.find(already) != std::string::npos) {
            placed.outcome = "canceled (409 " + already + " after " + std::to_string(tries) + " tries)";
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
void Run::owner() {
  namespace cooking_status = contracts::cooking_status;
  Client client(options_.gateway);
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
      const auto& token = tokens_.at(owner_of(placed.store));
      auto target = "/foodCookings/" + std::to_string(placed.id);
      auto reply = client.call("GET", target, token);
      std::string outcome;
      if (reply.status == 200) {
        bool reject = placed.intent == Intent::Reject;
        auto status = text_of(reply.json(), "status");
        if (status == (reject ? cooking_status::Rejected : cooking_status::Accepted)) {
          outcome = reject ? "rejected by its owner" : "accepted by its owner";
        } else if (status == cooking_status::Requested) {
          // Whatever the answer, the next look tells whether it took.
          if (reject)
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

void Run::killer() {
  std::mt19937_64 rng(options_.seed * 104729 + 17);
  auto next = Clock::now() + milliseconds(options_.kill_every_ms);
  // The next kill waits for an order acknowledged after the last restart: on a machine too
  // busy to serve between kills, kills back to back would prove nothing. After a failed
  // restart it does not wait, as its own start is the next try.
  std::optional<int> acknowledged_at_restart = 0;
  while (killing_) {
    auto wait = next - Clock::now();
    bool served = !acknowledged_at_restart || acknowledged_ > *acknowledged_at_restart;
    if (wait > Clock::duration::zero() || !served) {
      std::this_thread::sleep_for(wait > Clock::duration::zero() ? std::min<Clock::duration>(milliseconds(20), wait)
                                                                 : milliseconds(20));
      continue;
    }
    next += milliseconds(options_.kill_every_ms);
    if (next < Clock::now()) next = Clock::now() + milliseconds(options_.kill_every_ms / 4);
    auto part = options_.parts[rng() % options_.parts.size()];
    double at = log_.since_start();
    auto killed = script_.kill(part);
    if (options_.down_ms > 0) std::this_thread::sleep_for(milliseconds(rng() % (options_.down_ms + 1)));
    auto started = script_.start();
    acknowledged_at_restart = started.ok() ? std::optional<int>(acknowledged_.load()) : std::nullopt;
    if (killed.ok()) ++kills_made_;
    bool ok = killed.ok() && started.ok();
    {
      std::lock_guard lock(mutex_);
      kills_.push_back({at, part, killed.ok()});
      if (!ok) {
        ++kill_failures_;
        last_kill_error_ = !killed.ok() ? "kill " + part + ": " + killed.output : "start: " + started.output;
      }
    }
    if (!ok)
      log_("scripts/platform failed (%s): %s", !killed.ok() ? "kill" : "start",
           (!killed.ok() ? killed.output : started.output).c_str());
  }
}

int Run::run() {
  try {
    first_mark_ = platform::stream_mark(options_.bus);
  } catch (const std::exception& error) {
    throw std::runtime_error(
        std::string(
            "cannot read the platform's stream (--bus or FD_BUS_URL; --nats, FD_NATS_USER, FD_NATS_PASSWORD): ") +
        error.what());
  }
  Client client(options_.gateway);
  for (const char* user : {"customer1", "customer2", "owner1", "owner2"})
    tokens_[user] = login(client, user, std::chrono::seconds(30));
  if (options_.max_seconds == 0) {
    double expected_s = options_.rate > 0 ? options_.orders / options_.rate : options_.orders / 20.0;
    options_.max_seconds = static_cast<int>(expected_s * 3) + 120;
  }
  placing_deadline_ = Clock::now() + std::chrono::seconds(options_.max_seconds);
  auto at_least = options_.min_kills ? ", until at least " + std::to_string(options_.min_kills) + " kills" : "";
  log_("placing %d orders (rate %.0f/s, %d workers) while killing one of %zu parts every %d ms%s (seed %llu)",
       options_.orders, options_.rate, options_.concurrency, options_.parts.size(), options_.kill_every_ms,
       at_least.c_str(), static_cast<unsigned long long>(options_.seed));

  std::thread killer_thread([this] { killer(); });
  std::thread owner_thread([this] { owner(); });
  std::vector<std::thread> workers;
  for (int w = 0; w < options_.concurrency; ++w) workers.emplace_back([this] { customer(); });
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
      log_("acknowledged %d/%d orders in %d attempts, %zu kills (last: %s)", acknowledged_.load(), options_.orders,
           attempts_.load(), kills, last_part.empty() ? "none" : last_part.c_str());
    }
  }
  joiner.join();
  killing_ = false;
  killer_thread.join();

  Outcome outcome;
  outcome.placing_s = log_.since_start();
  outcome.kills_made = kills_made_;
  {
    std::lock_guard lock(mutex_);
    outcome.kills = kills_;
  }
  log_("placed %d orders in %.1f s with %zu kills; the killing stops", acknowledged_.load(), outcome.placing_s,
       outcome.kills.size());
  if (outcome.kills_made < options_.min_kills)
    log_("%d s (--max-seconds) passed with %d of the %d kills asked for", options_.max_seconds, outcome.kills_made,
         options_.min_kills);

  owner_stop_ = true;
  outcome.drained = drain(outcome.drain_error);
  owner_thread.join();
  outcome.drained_s = log_.since_start();
  if (outcome.drained) log_("drained in %.1f s", outcome.drained_s - outcome.placing_s);
  else log_("%s", outcome.drain_error.c_str());

  {
    std::lock_guard lock(mutex_);
    outcome.placed = placed_;
    outcome.failures = failures_;
    outcome.last_kill_error = last_kill_error_;
  }
  try {
    verify(options_, tokens_, outcome.placed, outcome.kills, first_mark_, log_, outcome.findings);
  } catch (const std::exception& e) {
    outcome.error = std::string("verification failed: ") + e.what();
  }
  outcome.total_s = log_.since_start();
  outcome.attempts = attempts_;
  outcome.first_attempt = first_attempt_;
  outcome.after_retries = after_retries_;
  outcome.given_up = given_up_;
  outcome.kill_failures = kill_failures_;
  return report(options_, outcome);
}

}  // namespace fd::cli::chaos
