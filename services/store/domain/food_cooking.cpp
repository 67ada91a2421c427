#include "domain/food_cooking.hpp"

#include <boost/json/serialize.hpp>
#include <stdexcept>

#include "domain/catalog.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace store {

namespace {
constexpr CookingStatus kAll[] = {CookingStatus::AwaitingPayment, CookingStatus::PaymentFailed,
                                  CookingStatus::Requested,       CookingStatus::Accepted,
                                  CookingStatus::Rejected,        CookingStatus::Cooking,
                                  CookingStatus::Cooked,          CookingStatus::Canceled};
}  // namespace

const char* to_string(CookingStatus status) {
  using namespace contracts::cooking_status;
  switch (status) {
    case CookingStatus::AwaitingPayment: return "AWAITING_PAYMENT";
    case CookingStatus::PaymentFailed: return "PAYMENT_FAILED";
    case CookingStatus::Requested: return Requested;
    case CookingStatus::Accepted: return Accepted;
    case CookingStatus::Rejected: return Rejected;
    case CookingStatus::Cooking: return Cooking;
    case CookingStatus::Cooked: return Cooked;
    case CookingStatus::Canceled: return Canceled;
  }
  return "UNKNOWN";
}

CookingStatus cooking_status_from(std::string_view text) {
  for (auto status : kAll)
    if (text == to_string(status)) return status;
  throw std::invalid_argument("unknown cooking status " + std::string(text));
}

std::string parse_rejection(const boost::json::object& body) {
  platform::fields::only(body, {"reason"});
  return platform::fields::prose(body, "reason", kMaxReason, 1, ", e.g. {\"reason\":\"재료 소진\"}");
}

FoodCooking FoodCooking::placed(const contracts::OrderPlaced& order) {
  return {order.orderId,
          order.storeId,
          order.customerId,
          boost::json::serialize(contracts::codec::write(order.items)),
          order.totalPrice,
          order.address,
          order.lat,
          order.lon};
}

void FoodCooking::step(CookingStatus from, CookingStatus to) {
  if (status != from)
    throw platform::conflict("order " + std::to_string(order_id) + " is " + to_string(status) + " in the kitchen, not " +
                             to_string(from));
  status = to;
}

platform::Events FoodCooking::payment_approved(std::int64_t now_ms) {
  step(CookingStatus::AwaitingPayment, CookingStatus::Requested);
  requested_at = now_ms;
  return {};
}

platform::Events FoodCooking::payment_failed() {
  step(CookingStatus::AwaitingPayment, CookingStatus::PaymentFailed);
  return {};
}

std::int64_t parse_acceptance(const boost::json::object& body) {
  platform::fields::only(body, {"cookingMinutes"});
  if (!body.contains("cookingMinutes")) return kDefaultCookingMinutes;
  auto minutes = platform::fields::integer(body, "cookingMinutes");
  if (minutes < contracts::kMinCookingMinutes || minutes > contracts::kMaxCookingMinutes)
    throw platform::bad_request("cookingMinutes must be between " + std::to_string(contracts::kMinCookingMinutes) +
                                " and " + std::to_string(contracts::kMaxCookingMinutes));
  return minutes;
}

platform::Events FoodCooking::accept(std::int64_t cooking_minutes) {
  step(CookingStatus::Requested, CookingStatus::Accepted);
  return platform::events(contracts::OrderAccepted{order_id, customer, store_id, cooking_minutes});
}

platform::Events FoodCooking::reject(const std::string& why) {
  step(CookingStatus::Requested, CookingStatus::Rejected);
  reason = why;
  return platform::events(contracts::OrderRejected{order_id, customer, store_id, reason});
}

platform::Events FoodCooking::start() {
  step(CookingStatus::Accepted, CookingStatus::Cooking);
  return platform::events(contracts::CookStarted{order_id, customer, store_id});
}

platform::Events FoodCooking::finish(const Store& store) {
  step(CookingStatus::Cooking, CookingStatus::Cooked);
  return platform::events(
      contracts::CookFinished{order_id, customer, store_id, store.name, store.lat, store.lon, address, lat, lon});
}

platform::Events FoodCooking::cancel() {
  switch (status) {
    case CookingStatus::AwaitingPayment:
    case CookingStatus::Requested:
    case CookingStatus::Accepted: status = CookingStatus::Canceled; return {};
    case CookingStatus::Canceled: return {};
    case CookingStatus::Cooking:
    case CookingStatus::Cooked:
      throw platform::conflict("order " + std::to_string(order_id) + " cannot be canceled: cooking has already started");
    case CookingStatus::PaymentFailed:
    case CookingStatus::Rejected: break;
  }
  throw platform::conflict("order " + std::to_string(order_id) + " is " + to_string(status) + "; nothing to cancel");
}

std::vector<std::string> FoodCooking::allowed_commands() const {
  switch (status) {
    case CookingStatus::Requested: return {"accept", "reject"};
    case CookingStatus::Accepted: return {"start"};
    case CookingStatus::Cooking: return {"finish"};
    default: return {};
  }
}

FoodCooking canceled_before_arrival(std::int64_t order_id) {
  FoodCooking cooking;
  cooking.order_id = order_id;
  cooking.items = "[]";
  cooking.status = CookingStatus::Canceled;
  return cooking;
}

}  // namespace store
