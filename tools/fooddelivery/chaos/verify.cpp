#include "verify.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <functional>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "contracts/events.hpp"
#include "contracts/status.hpp"
#include "platform/messaging.hpp"

namespace fd::cli::chaos {

namespace {

using std::chrono::milliseconds;
namespace order_status = contracts::order_status;
namespace payment_status = contracts::payment_status;
namespace cooking_status = contracts::cooking_status;

// The customer service's delivery states of a notification: its own words, not the contracts'.
constexpr std::string_view kPending = "PENDING", kSending = "SENDING", kRecorded = "RECORDED", kSent = "SENT",
                           kUnconfirmed = "UNCONFIRMED";

using EventCounts = std::map<std::string, int, std::less<>>;  // event type → how many

// What every service (and the stream) says about one order.
struct Observed {
  Reply order, payment, cooking, view;
  std::map<std::string, int> notifications;        // status → how many
  std::map<std::string, std::string> note_states;  // status → delivery state
  EventCounts events;                              // in the stream
  std::vector<std::string> event_ids;              // "seq:type"
};

// A GET that rides out a service still busy after the drain: until 200 or 404, a while.
Reply read(Client& client, const std::string& target, const std::string& token) {
  Reply reply;
  for (int attempt = 0; attempt < 20; ++attempt) {
    reply = client.call("GET", target, token);
    if (reply.status == 200 || reply.status == 404) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return reply;
}

std::string describe(const Placed& placed, const Observed& seen, const std::vector<Kill>& kills) {
  std::ostringstream out;
  auto status = [](const Reply& reply) {
    if (reply.status == 200) return text_of(reply.json(), "status");
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
    auto view = seen.view.json();
    out << " (paymentStatus " << (text_of(view, "paymentStatus").empty() ? "null" : text_of(view, "paymentStatus"))
        << "), timeline";
    if (auto* timeline = view.as_object().if_contains("timeline"); timeline && timeline->is_array())
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

// What one order's services and stream must agree on, and what its client was told.
std::vector<Anomaly> judge(const Placed& p, const Observed& s) {
  std::vector<Anomaly> found;
  auto flag = [&](const char* kind, std::string what) { found.push_back({p.id, kind, std::move(what)}); };
  auto count = [&](std::string_view type) {
    auto it = s.events.find(type);
    return it == s.events.end() ? 0 : it->second;
  };
  auto named = [](std::string_view type) { return " " + std::string(type); };

  // -- lost
  if (s.order.status != 200) flag("lost", "GET /orders/" + std::to_string(p.id) + " → " + std::to_string(s.order.status));
  if (count(contracts::OrderPlaced::type) == 0) flag("lost", "no" + named(contracts::OrderPlaced::type) + " in the stream");
  if (s.view.status != 200) flag("lost", "no status view (GET /orderStatuses → " + std::to_string(s.view.status) + ")");
  // -- duplicated: in this run every event type happens at most once per order
  for (const auto& [type, n] : s.events)
    if (n > 1) flag("duplicated", std::to_string(n) + " × " + type + " in the stream");
  for (const auto& [status, n] : s.notifications)
    if (n > 1) flag("duplicated", std::to_string(n) + " notifications for " + status);
  if (s.order.status != 200) return found;

  auto view_json = s.view.json();
  auto order = text_of(s.order.json(), "status");
  auto payment = s.payment.status == 200 ? text_of(s.payment.json(), "status") : std::string("none");
  auto cooking = s.cooking.status == 200 ? text_of(s.cooking.json(), "status") : std::string("none");
  auto view = s.view.status == 200 ? text_of(view_json, "status") : std::string("none");
  auto view_payment = s.view.status == 200 ? text_of(view_json, "paymentStatus") : std::string();
  if (view_payment.empty()) view_payment = "none";
  int approved = count(contracts::PaymentApproved::type), failed = count(contracts::PaymentFailed::type),
      refunded = count(contracts::PaymentCanceled::type);

  // -- the order's status decides what every other service must say
  // Canceled before payment heard of it: payment keeps a row that forbids the late charge,
  // and when the late OrderPlaced arrives it tells the customer with one PaymentCanceled of
  // amount 0: no charge, and every view of the payment says CANCELED.
  bool uncharged_cancel = order == order_status::Canceled && approved == 0 && failed == 0;
  std::string want_payment, want_cooking;
  if (order == order_status::Placed) {
    flag("lost", "still " + order + " after the drain: its payment never came back");
  } else if (order == order_status::Paid) {
    want_payment = payment_status::Approved, want_cooking = cooking_status::Requested;
  } else if (order == order_status::Accepted) {
    want_payment = payment_status::Approved, want_cooking = cooking_status::Accepted;
  } else if (order == order_status::PaymentFailed) {
    want_payment = payment_status::Failed, want_cooking = "none";
  } else if (order == order_status::Rejected) {
    want_payment = payment_status::Canceled, want_cooking = cooking_status::Rejected;
  } else if (order == order_status::Canceled) {
    // Charged before the cancel: refunded. Canceled before payment heard of it: never
    // charged (see uncharged_cancel).
    want_payment = failed ? payment_status::Failed : payment_status::Canceled;
    if (cooking != cooking_status::Canceled && cooking != "none")
      flag("inconsistent", "order " + order + " but the store has it " + cooking);
  } else {
    flag("inconsistent", "unexpected order status " + order);
  }
  if (!want_payment.empty() && payment != want_payment)
    flag("inconsistent", "order " + order + " but payment " + payment + " (expected " + want_payment + ")");
  if (!want_cooking.empty() && cooking != want_cooking)
    flag("inconsistent", "order " + order + " but the store's foodCooking " + cooking + " (expected " + want_cooking + ")");
  if (s.view.status == 200 && view != order) flag("inconsistent", "order " + order + " but the status view " + view);
  if (s.view.status == 200 && view_payment != payment)
    flag("inconsistent", "payment " + payment + " but the status view's paymentStatus " + view_payment);

  // -- the stream agrees with the payment: one charge or decline, a refund only of a charge
  auto charges = [&](int first, std::string_view first_type, int second, std::string_view second_type) {
    return std::to_string(first) + named(first_type) + ", " + std::to_string(second) + named(second_type);
  };
  if (approved + failed > 1) flag("duplicated", "charged or declined more than once");
  if (payment == payment_status::Approved && (approved != 1 || refunded != 0))
    flag("inconsistent", "payment " + payment + " but the stream has " +
                             charges(approved, contracts::PaymentApproved::type, refunded, contracts::PaymentCanceled::type));
  if (payment == payment_status::Canceled && !uncharged_cancel && (approved != 1 || refunded != 1))
    flag("inconsistent", "payment " + payment + " but the stream has " +
                             charges(approved, contracts::PaymentApproved::type, refunded, contracts::PaymentCanceled::type));
  if (payment == payment_status::Failed && (failed != 1 || approved != 0))
    flag("inconsistent", "payment " + payment + " but the stream has " +
                             charges(failed, contracts::PaymentFailed::type, approved, contracts::PaymentApproved::type));
  if (payment == "none" && (approved != 0 || refunded != 0))
    flag("lost", "no payment visible, yet the stream has " +
                     charges(approved, contracts::PaymentApproved::type, refunded, contracts::PaymentCanceled::type));
  if (uncharged_cancel && refunded != 1)
    flag("inconsistent", "canceled before it was charged, but the stream has " + std::to_string(refunded) +
                             named(contracts::PaymentCanceled::type));
  if (refunded && !approved && !uncharged_cancel) flag("inconsistent", "refunded without a charge");
  for (auto [status, type] : {std::pair{order_status::Canceled, contracts::OrderCanceled::type},
                              std::pair{order_status::Rejected, contracts::OrderRejected::type}})
    if (order == status && count(type) != 1)
      flag("inconsistent", "order " + order + " with " + std::to_string(count(type)) + named(type));

  // -- what the client was told must have happened
  switch (p.intent) {
    case Intent::Plain:
      if (order != order_status::Paid)
        flag("inconsistent", "an order placed and left alone ended " + order + ", not " + order_status::Paid);
      break;
    case Intent::Decline:
      if (order != order_status::PaymentFailed) flag("inconsistent", "an order over the card limit ended " + order);
      break;
    case Intent::Cancel:
      if (p.done && order != order_status::Canceled)
        flag("inconsistent", "the cancel was acknowledged but the order is " + order);
      if (!p.done) flag("inconsistent", "the cancel never succeeded: " + p.outcome);
      break;
    case Intent::Reject:
    case Intent::Accept: {
      bool reject = p.intent == Intent::Reject;
      if (!p.done)
        flag("lost", std::string("the owner could not ") + (reject ? "reject" : "accept") +
                         " it: " + (p.outcome.empty() ? "never reached the owner's list" : p.outcome));
      else if (order != (reject ? order_status::Rejected : order_status::Accepted))
        flag("inconsistent",
             std::string("the store ") + (reject ? "rejected" : "accepted") + " it but the order is " + order);
      break;
    }
  }
  if (s.view.status != 200) return found;

  // -- the view applied every event of the order, except a status change after a final
  //    status (PaymentApproved after a cancel, say), which it ignores by design
  static const std::set<std::string_view> followed{
      contracts::OrderPlaced::type,   contracts::PaymentApproved::type, contracts::PaymentFailed::type,
      contracts::OrderAccepted::type, contracts::OrderRejected::type,   contracts::OrderCanceled::type,
      contracts::PaymentCanceled::type};
  std::set<std::string> applied, statuses;
  bool reached_final = false;
  if (auto* timeline = view_json.as_object().if_contains("timeline"); timeline && timeline->is_array())
    for (const auto& step : timeline->as_array()) {
      applied.insert(text_of(step, "eventType"));
      statuses.insert(text_of(step, "status"));
      if (order_status::is_final(text_of(step, "status"))) reached_final = true;
    }
  for (const auto& [type, n] : s.events)
    if (followed.contains(type) && !applied.contains(type) &&
        (type == contracts::PaymentCanceled::type || !reached_final))
      flag("lost", "the status view never applied " + type + ", which is in the stream");

  // -- notifications: one per status of the view's timeline, each delivered
  for (const auto& status : statuses)
    if (!s.notifications.contains(status)) flag("lost", "no notification for " + status);
  for (const auto& [status, n] : s.notifications)
    if (!statuses.contains(status)) flag("inconsistent", "a notification for " + status + ", not in the timeline");
  // UNCONFIRMED: a kill of the customer service cut its sending off; it is never sent again
  // (verify() holds it to such a kill).
  for (const auto& [status, state] : s.note_states)
    if (state != kRecorded && state != kSent && state != kUnconfirmed)
      flag("inconsistent", "the notification for " + status + " is still " + state);
  return found;
}

}  // namespace

void verify(const Options& options, const Tokens& tokens, const std::vector<Placed>& placed,
            const std::vector<Kill>& kills, const platform::StreamMark& first_mark, const Log& log,
            Findings& findings) {
  // ---- the stream
  auto events = platform::read_stream(options.bus);
  std::map<std::int64_t, EventCounts> by_order;
  std::map<std::int64_t, std::vector<std::string>> ids_by_order;
  std::set<std::string> seen_ids;
  int duplicate_ids = 0;
  for (const auto& event : events) {
    // A copy under an id already seen is one event stored again, not a second event: a relay
    // killed after the broker's acknowledgement and before its outbox delete publishes it again
    // at its next start. JetStream drops such a copy (an anomaly if it did not); Kafka stores
    // it, as its bus promises, and the consumers' inboxes drop it, which the services' own
    // answers below prove.
    if (!event.id.empty() && !seen_ids.insert(event.id).second) {
      ++duplicate_ids;
      continue;
    }
    auto* order = event.body.if_contains("orderId");
    if (!order || !order->is_int64()) continue;
    ++by_order[order->get_int64()][event.type];
    ids_by_order[order->get_int64()].push_back(std::to_string(event.seq) + ":" + event.type);
  }
  log("read %zu events from the stream", events.size());
  std::set<std::int64_t> ours;
  for (const auto& p : placed) ours.insert(p.id);
  for (const auto& event : events)
    if (!first_mark.includes(event) && event.type == contracts::OrderPlaced::type)
      if (auto* id = event.body.if_contains("orderId"); id && id->is_int64() && !ours.contains(id->get_int64()))
        ++findings.unacknowledged;

  // ---- every service's view of each acknowledged order, read by a few threads
  std::vector<Observed> seen(placed.size());
  std::atomic<std::size_t> next{0};
  auto read_orders = [&] {
    Client client(options.gateway);
    for (std::size_t i; (i = next++) < placed.size();) {
      const auto& p = placed[i];
      auto id = std::to_string(p.id);
      const auto& customer = tokens.at(p.customer);
      const auto& owner = tokens.at(owner_of(p.store));
      seen[i].order = read(client, "/orders/" + id, customer);
      seen[i].payment = read(client, "/payments/" + id, customer);
      seen[i].cooking = read(client, "/foodCookings/" + id, owner);
      seen[i].view = read(client, "/orderStatuses/" + id, customer);
    }
  };
  // ---- every notification of both customers, by id (the list shows the newest 100 only)
  std::map<std::int64_t, std::vector<std::pair<std::string, std::string>>> notes;  // order → (status, state)
  std::int64_t max_note = 0;
  {
    Client client(options.gateway);
    for (const char* customer : {"customer1", "customer2"}) {
      auto reply = client.call("GET", "/notifications", tokens.at(customer));
      if (reply.status != 200)
        throw std::runtime_error("GET /notifications as " + std::string(customer) + " → " +
                                 std::to_string(reply.status) + ": " + reply.body);
      auto body = reply.json();
      const auto* list = body.as_object().at("_embedded").as_object().if_contains("notifications");
      if (list && list->is_array() && !list->as_array().empty())
        max_note = std::max(max_note, int_of(list->as_array().front(), "notificationId"));
    }
  }
  std::mutex notes_mutex;
  std::atomic<std::int64_t> next_note{1};
  std::atomic<int> unreadable{0};
  auto read_notes = [&] {
    Client client(options.gateway);
    for (std::int64_t id; (id = next_note++) <= max_note;) {
      auto target = "/notifications/" + std::to_string(id);
      for (const char* customer : {"customer1", "customer2"}) {
        auto reply = read(client, target, tokens.at(customer));
        if (reply.status == 200) {
          auto note = reply.json();
          std::lock_guard lock(notes_mutex);
          notes[int_of(note, "orderId")].emplace_back(text_of(note, "status"), text_of(note, "state"));
          break;
        }
        if (reply.status != 404) ++unreadable;
      }
    }
  };
  const int threads = std::max(2, std::min(options.concurrency, 8));
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
  auto waiting = [&] {
    for (const auto& [order, list] : notes)
      if (ours.contains(order))
        for (const auto& [status, state] : list)
          if (state == kPending || state == kSending) return true;
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

  const bool customer_killed = std::any_of(kills.begin(), kills.end(), [](const Kill& kill) {
    return kill.part == "customer" || kill.part.rfind("customer-", 0) == 0;
  });
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
    if (!ids.insert(p.id).second) found.push_back({p.id, "duplicated", "two 201 answers carried the same orderId"});
    auto judged = judge(p, s);
    found.insert(found.end(), judged.begin(), judged.end());
    for (const auto& [status, state] : s.note_states)
      if (state == kUnconfirmed) {
        ++findings.unconfirmed;
        if (!customer_killed)
          found.push_back({p.id, "inconsistent",
                           "the notification for " + status + " is UNCONFIRMED, yet the customer service was never killed"});
      }
    if (!found.empty()) {
      std::ostringstream head;
      head << "order " << p.id << ":";
      for (const auto& a : found) head << "\n  [" << a.kind << "] " << a.what;
      findings.details.push_back(head.str() + "\n" + describe(p, s, kills));
      findings.anomalies.insert(findings.anomalies.end(), found.begin(), found.end());
    }
  }
  if (options.bus.kafka()) {
    findings.republished = duplicate_ids;
  } else if (duplicate_ids) {
    auto what = std::to_string(duplicate_ids) + " events stored twice under one Nats-Msg-Id";
    findings.anomalies.push_back({0, "duplicated", what});
    findings.details.push_back("stream: " + what);
  }
}

}  // namespace fd::cli::chaos
