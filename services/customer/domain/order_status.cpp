#include "domain/order_status.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <stdexcept>

#include "contracts/events.hpp"

namespace customer {

namespace {

namespace event = contracts::event;
namespace order_status = contracts::order_status;
namespace payment_status = contracts::payment_status;

// What each event means to the customer; a null word leaves that part as it is.
struct Meaning {
  const char* event_type;
  const char* status;
  const char* payment_status;
};

constexpr Meaning kMeanings[] = {
    {event::OrderPlaced, order_status::Placed, nullptr},
    {event::PaymentApproved, order_status::Paid, payment_status::Approved},
    {event::PaymentFailed, order_status::PaymentFailed, payment_status::Failed},
    {event::OrderAccepted, order_status::Accepted, nullptr},
    {event::OrderRejected, order_status::Rejected, nullptr},
    {event::CookStarted, order_status::Cooking, nullptr},
    {event::CookFinished, order_status::Cooked, nullptr},
    {event::DeliveryAssigned, order_status::RiderAssigned, nullptr},
    {event::Picked, order_status::PickedUp, nullptr},
    {event::DeliveryConfirmed, order_status::Delivered, nullptr},
    {event::OrderCanceled, order_status::Canceled, nullptr},
    {event::PaymentCanceled, nullptr, payment_status::Canceled},
    {event::PaymentSettled, nullptr, payment_status::Settled},
};

const Meaning* meaning_of(std::string_view event_type) {
  auto* found = std::find_if(std::begin(kMeanings), std::end(kMeanings),
                             [&](const Meaning& m) { return event_type == m.event_type; });
  return found == std::end(kMeanings) ? nullptr : found;
}

// Where a status stands in the lifecycle; the final ones past every other.
int rank(std::string_view status) {
  constexpr std::string_view lifecycle[] = {order_status::Placed,   order_status::Paid,          order_status::Accepted,
                                            order_status::Cooking,  order_status::Cooked,        order_status::RiderAssigned,
                                            order_status::PickedUp, order_status::Delivered};
  for (int i = 0; i < static_cast<int>(std::size(lifecycle)); ++i)
    if (status == lifecycle[i]) return i;
  return static_cast<int>(std::size(lifecycle));
}

bool is_final(std::string_view status) {
  return status == order_status::PaymentFailed || status == order_status::Rejected ||
         status == order_status::Canceled || status == order_status::Delivered;
}

[[noreturn]] void missing(std::string_view event_type, std::string_view field, std::string_view expected) {
  throw std::invalid_argument(std::string(event_type) + " without " + std::string(expected) + " " +
                              std::string(field));
}

std::int64_t integer(const boost::json::object& body, std::string_view event_type, std::string_view field) {
  auto* value = body.if_contains(field);
  if (!value || !value->is_int64()) missing(event_type, field, "an integer");
  return value->get_int64();
}

std::string text(const boost::json::object& body, std::string_view event_type, std::string_view field) {
  auto* value = body.if_contains(field);
  if (!value || !value->is_string()) missing(event_type, field, "a text");
  return std::string(value->get_string());
}

// Rider ids are user names today; a number is accepted too, as the seeds' Long ids were.
std::string rider_of(const boost::json::object& body) {
  auto* value = body.if_contains("riderId");
  if (!value) return {};
  if (value->is_string()) return std::string(value->get_string());
  if (value->is_int64()) return std::to_string(value->get_int64());
  return {};
}

std::string store_name_of(const boost::json::object& body) {
  auto* value = body.if_contains("storeName");
  return value && value->is_string() ? std::string(value->get_string()) : std::string();
}

OrderStatus placed(const boost::json::object& body, const Step& step) {
  auto* items = body.if_contains("items");
  if (!items || !items->is_array()) missing(event::OrderPlaced, "items", "an array of");
  return {integer(body, event::OrderPlaced, "orderId"),
          text(body, event::OrderPlaced, "customerId"),
          integer(body, event::OrderPlaced, "storeId"),
          store_name_of(body),
          step.status,
          {},
          {},
          integer(body, event::OrderPlaced, "totalPrice"),
          boost::json::serialize(*items),
          {step}};
}

}  // namespace

const std::vector<std::string>& followed_events() {
  static const std::vector<std::string> types = [] {
    std::vector<std::string> out;
    for (const auto& meaning : kMeanings) out.emplace_back(meaning.event_type);
    return out;
  }();
  return types;
}

Effect apply(std::optional<OrderStatus>& view, std::string_view event_type, const boost::json::object& body) {
  const auto* meaning = meaning_of(event_type);
  if (!meaning) return Effect::Ignored;
  if (event_type == event::OrderPlaced) {
    if (view) return Effect::Ignored;
    view = placed(body, {meaning->status, {}, std::string(event_type), integer(body, event_type, "timestamp")});
    return Effect::StatusChanged;
  }
  // After a crash, events a killed instance held come back later than newer ones: an event
  // may overtake its order's OrderPlaced.
  if (!view) return Effect::TooEarly;
  bool seen = std::any_of(view->timeline.begin(), view->timeline.end(),
                          [&](const Step& step) { return step.event_type == event_type; });
  if (seen) return Effect::Ignored;
  bool other_status = meaning->status && view->status != meaning->status;
  if (other_status && is_final(view->status)) return Effect::Ignored;
  // A step that arrives after a later one (redelivered after a crash) is recorded but never
  // moves the status back.
  bool changes_status = other_status && rank(meaning->status) > rank(view->status);

  auto at = integer(body, event_type, "timestamp");
  if (changes_status) view->status = meaning->status;
  if (meaning->payment_status) view->payment_status = meaning->payment_status;
  if (auto rider = rider_of(body); !rider.empty()) view->rider_id = std::move(rider);
  if (view->store_name.empty()) view->store_name = store_name_of(body);
  view->timeline.push_back(
      {view->status, meaning->payment_status ? meaning->payment_status : "", std::string(event_type), at});
  return changes_status ? Effect::StatusChanged : Effect::StepAdded;
}

}  // namespace customer
