#include "consumer.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cstdint>
#include <exception>
#include <utility>

#include "contracts/codec.hpp"
#include "contracts/events.hpp"
#include "platform/clock.hpp"
#include "platform/event.hpp"
#include "platform/log.hpp"

namespace platform {

namespace {

constexpr std::int64_t kNakDelayMs = 500;  // first redelivery delay after a failed reaction
constexpr std::int64_t kNakDelayMaxMs = 30'000;
// An event that came before the one it follows (replicas apply events side by side) is
// usually ready a moment later: asked again soon, and never left waiting long.
constexpr std::int64_t kTooEarlyDelayMs = 100;
constexpr std::int64_t kTooEarlyDelayMaxMs = 2'000;

// Who may publish on the subject of an event of this type: its contract's producer.
std::string producer_of(const std::string& type) {
  for (const auto& contract : contracts::kCatalogue)
    if (contract.type == type) return std::string(contract.producer);
  return "no service";
}

// Defence in depth behind the bus permissions: a service may publish only on the subjects of
// the events it produces, so an event that says it is of another type than its subject's
// (a forged PaymentApproved on order's subject OrderPlaced) is never applied.
bool forged(const Delivery& delivery, const boost::json::object& body) {
  const auto* claimed = body.if_contains("eventType");
  std::string body_type = claimed && claimed->is_string() ? std::string(claimed->get_string()) : "";
  if (!delivery.type.empty() && delivery.header_type == delivery.type && body_type == delivery.type) return false;
  log::error("event refused: its type header or eventType is not the type of the subject it came on, "
             "which only that type's producer may publish on",
             {{"eventId", delivery.id},
              {"subjectType", delivery.type.empty() ? "(outside the stream's subjects)" : delivery.type},
              {"subjectProducer", producer_of(delivery.type)},
              {"typeHeader", delivery.header_type},
              {"bodyEventType", body_type}});
  return true;
}

}  // namespace

Verdict consume(Db& db, const std::map<std::string, Reaction>& reactions, const Delivery& delivery) {
  const std::string& type = delivery.type;
  const std::string& id = delivery.id;
  boost::json::error_code ec;
  auto value = boost::json::parse(delivery.body, ec);
  if (ec || !value.is_object()) {
    log::error("malformed event dropped (not a JSON object)",
               {{"eventType", type}, {"eventId", id}, {"error", ec ? ec.message() : "not an object"}});
    return Verdict::term();
  }
  if (forged(delivery, value.as_object())) return Verdict::term();
  auto reaction = reactions.find(type);
  if (reaction == reactions.end()) return Verdict::ack();

  ReceivedEvent event{id, type, std::move(value.as_object())};
  std::string failure;
  bool too_early = false;
  try {
    bool duplicate = false;
    db.transaction([&](Db& tx) {
      duplicate = false;  // the work may run again (a replica's concurrent transaction won)
      if (tx.exec("INSERT INTO fd_inbox(id, type, processed_at) VALUES(?, ?, ?) ON CONFLICT(id) DO NOTHING",
                  {event.id, event.type, now_ms()}) == 0) {
        duplicate = true;
        return;
      }
      reaction->second(tx, event);
    });
    if (duplicate)
      log::info("duplicate event ignored", {{"orderId", event.order_id()}, {"eventType", type}, {"eventId", id}});
    return Verdict::ack();
  } catch (const contracts::UnreadableEvent& e) {
    // Delivering the same body again cannot make it match its contract.
    log::error("unreadable event dropped (does not match its contract)",
               {{"orderId", event.order_id()}, {"eventType", type}, {"eventId", id}, {"error", e.what()}});
    return Verdict::term();
  } catch (const TooEarly& e) {
    // The written policy's ordinary case (unit_of_work.hpp), not a failure: said quietly.
    failure = e.what();
    too_early = true;
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown exception";
  }
  // Redeliver later, backing off: 0.5 s, 1 s, 2 s, ... up to 30 s (too early: 0.1 s ... 2 s).
  const std::int64_t first = too_early ? kTooEarlyDelayMs : kNakDelayMs;
  const std::int64_t most = too_early ? kTooEarlyDelayMaxMs : kNakDelayMaxMs;
  std::int64_t delay = first;
  for (std::uint64_t i = 1; i < delivery.attempt && delay < most; ++i) delay *= 2;
  delay = std::min(delay, most);
  (too_early ? log::info : log::error)(too_early ? "event came too early; it will be redelivered"
                                                 : "reaction failed; event will be redelivered",
                                       {{"orderId", event.order_id()},
                                        {"eventType", type},
                                        {"eventId", id},
                                        {"attempt", std::to_string(delivery.attempt)},
                                        {"retryInMs", std::to_string(delay)},
                                        {"error", failure}});
  return Verdict::nak(std::chrono::milliseconds(delay));
}

}  // namespace platform
