// GET /events/stream: each event as it crosses the bus, in the seeds' flat JSON, for the web
// app's "under the hood" page. An admin sees every event; a customer only the events of their
// own orders. Each event's id is where the bus had come to (BusCursor), so a client that
// reconnects with Last-Event-ID gets exactly the events after it, whichever replica answers.
#include <mutex>

#include "app.hpp"
#include "domain/order_owners.hpp"
#include "platform/bus_tail.hpp"
#include "platform/event_stream.hpp"
#include "platform/problem.hpp"

namespace customer {

namespace {

using platform::Request;

// Whose each order is, as the bus's OrderPlaced said: known before any later event of the
// order reaches a stream, even when the status view has not recorded the order yet. As many
// orders are kept as events (FD_EVENTS_KEPT): an event older than that is not shown anyway.
class OrderCustomers {
 public:
  explicit OrderCustomers(std::size_t capacity) : recent_(capacity) {}

  void note(const platform::TailedEvent& event) {
    if (event.type != "OrderPlaced" || event.order_id.empty()) return;
    auto* customer = event.body.if_contains("customerId");
    if (!customer || !customer->is_string()) return;
    std::lock_guard lock(mutex_);
    recent_.note(event.order_id, std::string(customer->get_string()));
  }
  // "" when the order is unknown; the status view answers for an order placed before the
  // oldest event the bus still holds, or noted longest ago.
  std::string of(platform::Db& db, const std::string& order_id) const {
    {
      std::lock_guard lock(mutex_);
      if (auto known = recent_.of(order_id)) return *known;
    }
    std::int64_t id = 0;
    try {
      id = std::stoll(order_id);
    } catch (const std::exception&) {
      return {};
    }
    auto view = status_view::load(db, id);
    return view ? view->customer : std::string();
  }

 private:
  mutable std::mutex mutex_;
  customer::RecentOrderOwners recent_;
};

struct Live {
  std::shared_ptr<OrderCustomers> customers;
  std::shared_ptr<platform::BusTail> tail;
};

// How often the caller's token is checked again while nothing happens: a revoked one ends
// the stream within this.
constexpr std::chrono::milliseconds kRecheck{1000};
// How long a stream without Last-Event-ID waits at most for the tail to read what the bus
// holds (its newest FD_EVENTS_KEPT events) when the reading is slow; a bus that cannot be
// reached ends the wait at once (BusTail::wait_read_up).
constexpr std::chrono::milliseconds kTailReadUp{3000};

class BusEvents final : public platform::EventSource {
 public:
  BusEvents(const Live& live, platform::Db& db, const platform::Identity& identity, Request request,
            platform::Claims caller)
      : live_(live), db_(db), identity_(identity), request_(std::move(request)), caller_(std::move(caller)) {
    auto resume = request_.header("last-event-id");
    if (!resume.empty()) {
      cursor_ = platform::BusCursor::parse(resume);
      return;
    }
    // From now on: the cursor of every event held, so that an id sent later covers them too;
    // the first stream of the process waits for its tail to begin and take what the bus holds.
    live_.tail->wait_read_up(kTailReadUp);
    for (const auto& event : live_.tail->since(0, next_)) cursor_.advance(*event);
  }
  ~BusEvents() override {
    if (watching_) live_.tail->unwatch(token_);
  }

  void wake_with(std::function<void()> wake) override {
    token_ = live_.tail->watch(std::move(wake));
    watching_ = true;
  }

  std::vector<platform::ServerSentEvent> pull() override {
    identity_.caller(request_);  // revoked or expired since: the stream ends with the 401
    std::vector<platform::ServerSentEvent> out;
    for (const auto& event : live_.tail->since(next_, next_)) {
      if (cursor_.covers(*event)) continue;
      cursor_.advance(*event);
      if (shown(*event)) out.push_back({cursor_.text(live_.tail->kafka()), event->type, event->json});
    }
    return out;
  }
  std::chrono::milliseconds every() const override { return kRecheck; }

 private:
  bool shown(const platform::TailedEvent& event) const {
    if (caller_.role == "admin") return true;
    return !event.order_id.empty() && live_.customers->of(db_, event.order_id) == caller_.subject;
  }

  Live live_;
  platform::Db& db_;
  const platform::Identity& identity_;
  Request request_;
  platform::Claims caller_;
  platform::BusCursor cursor_;
  std::uint64_t next_ = 0;
  std::uint64_t token_ = 0;
  bool watching_ = false;
};

}  // namespace

void add_event_stream(platform::ServiceHost& host) {
  auto live = std::make_shared<Live>();
  const auto kept = static_cast<std::size_t>(host.config().integer("EVENTS_KEPT", 10000));
  live->customers = std::make_shared<OrderCustomers>(kept);
  live->tail = std::make_shared<platform::BusTail>(
      platform::BusEndpoint::from(host.config()), kept,
      [customers = live->customers](const platform::TailedEvent& event) { customers->note(event); });
  auto& db = host.db();
  const auto& identity = host.identity();
  host.router().add("GET", "/events/stream", [live, &db, &identity](Request& request) {
    auto caller = identity.caller(request);
    if (caller.role != "admin" && caller.role != "customer")
      throw platform::forbidden("the events are shown to an admin (every event) or a customer (their orders'); you are " +
                                caller.role);
    return platform::event_stream_response(std::make_shared<BusEvents>(*live, db, identity, request, caller));
  });
}

}  // namespace customer
