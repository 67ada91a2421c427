#include "domain/order_status.hpp"

#include <boost/json.hpp>

#include "contracts/events.hpp"

namespace customer {

std::optional<std::string> status_after(std::string_view event_type) {
  using namespace contracts;
  if (event_type == event::OrderPlaced) return order_status::Placed;
  if (event_type == event::PaymentApproved) return order_status::Paid;
  if (event_type == event::PaymentFailed) return order_status::PaymentFailed;
  return std::nullopt;
}

bool apply(std::optional<OrderStatus>& view, std::string_view event_type, const boost::json::object& body) {
  auto status = status_after(event_type);
  if (!status) return false;
  auto* timestamp = body.if_contains("timestamp");
  Step step{*status, std::string(event_type), timestamp && timestamp->is_int64() ? timestamp->get_int64() : 0};
  if (event_type == contracts::event::OrderPlaced) {
    if (view) return false;
    view = OrderStatus{body.at("orderId").as_int64(),
                       std::string(body.at("customerId").as_string()),
                       body.at("storeId").as_int64(),
                       *status,
                       body.at("totalPrice").as_int64(),
                       boost::json::serialize(body.at("items")),
                       {step}};
    return true;
  }
  if (!view) return false;
  view->status = *status;
  view->timeline.push_back(std::move(step));
  return true;
}

}  // namespace customer
