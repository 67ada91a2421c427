// The customer service's HTTP handlers: transport only.
#include <boost/json.hpp>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/event_stream.hpp"
#include "platform/hal.hpp"
#include "platform/problem.hpp"

namespace customer {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
}

// Where the rider carrying the order is while it is on its way; null before and after.
boost::json::value rider_position_json(const std::optional<RiderPosition>& position) {
  if (!position) return nullptr;
  return boost::json::object{
      {"lat", position->lat}, {"lon", position->lon}, {"reportedAt", platform::iso_time(position->reported_at)}};
}

boost::json::object view_json(const OrderStatus& view) {
  boost::json::array timeline;
  for (const auto& step : view.timeline) {
    boost::json::object item{{"status", step.status}, {"eventType", step.event_type}, {"at", platform::iso_time(step.at)}};
    if (!step.payment_status.empty()) item["paymentStatus"] = step.payment_status;
    timeline.push_back(std::move(item));
  }
  auto id = std::to_string(view.order_id);
  return {{"orderId", view.order_id},
          {"customerId", view.customer},
          {"storeId", view.store_id},
          {"storeName", text_or_null(view.store_name)},
          {"status", view.status},
          {"paymentStatus", text_or_null(view.payment_status)},
          {"riderId", text_or_null(view.rider_id)},
          {"totalPrice", view.total_price},
          {"items", boost::json::parse(view.items)},
          {"updatedAt", platform::iso_time(view.timeline.back().at)},
          {"estimatedArrival", view.estimated_arrival ? boost::json::value(platform::iso_time(view.estimated_arrival))
                                                      : boost::json::value(nullptr)},
          {"timeline", std::move(timeline)},
          {"riderPosition", rider_position_json(view.rider_position)},
          {"_links", platform::hal::links({{"self", "/orderStatuses/" + id}, {"order", "/orders/" + id}})}};
}

boost::json::object notification_json(const Notification& notification) {
  return {{"notificationId", notification.id},
          {"orderId", notification.order_id},
          {"status", notification.status},
          {"text", notification.text},
          {"state", notification.state},
          {"attempts", notification.attempts},
          {"lastError", text_or_null(notification.last_error)},
          {"createdAt", platform::iso_time(notification.created_at)},
          {"sentAt", notification.sent_at ? boost::json::value(platform::iso_time(*notification.sent_at))
                                          : boost::json::value(nullptr)},
          {"_links", platform::hal::links({{"self", "/notifications/" + std::to_string(notification.id)},
                                           {"orderStatus", "/orderStatuses/" + std::to_string(notification.order_id)}})}};
}

Response get_status(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto id = request.id_param("orderId");
  auto view = status_view::load(db, id);
  if (!view || view->customer != caller.subject) throw platform::not_found("no order status for order " + std::to_string(id));
  return platform::json_response(200, view_json(*view));
}

constexpr platform::paging::SortField kStatusSorts[] = {
    {"orderId", "order_id"}, {"updatedAt", "updated_at"}, {"totalPrice", "total_price"}};
constexpr platform::paging::SortField kNotificationSorts[] = {{"notificationId", "id"}, {"createdAt", "created_at"}};

// The customer's orders as the view knows them, newest first unless sorted otherwise.
Response list_statuses(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto page = platform::paging::parse(request.query, kStatusSorts);
  auto slice = status_view::of_customer(db, caller.subject, page);
  boost::json::array items;
  for (const auto& view : slice.items) items.push_back(view_json(view));
  return platform::json_response(
      200, platform::hal::collection("orderStatuses", std::move(items), request, page, slice.total_elements));
}

Response list_notifications(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto page = platform::paging::parse(request.query, kNotificationSorts);
  auto slice = platform::paging::select_page(db, notifications(), "WHERE customer = ?", {caller.subject}, page, "id DESC");
  boost::json::array items;
  for (const auto& notification : slice.items) items.push_back(notification_json(notification));
  return platform::json_response(
      200, platform::hal::collection("notifications", std::move(items), request, page, slice.total_elements));
}

Response get_notification(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto notification = notifications().get(db, request.id_param("notificationId"),
                                          [&](const Notification& n) { return n.customer == caller.subject; });
  return platform::json_response(200, notification_json(notification));
}

}  // namespace

void add_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/orderStatuses", [&](Request& r) { return list_statuses(db, identity, r); });
  router.add("GET", "/orderStatuses/{orderId}", [&](Request& r) { return get_status(db, identity, r); });
  // The same document as the GET, sent again at each change.
  router.add("GET", "/orderStatuses/{orderId}/stream", [&](Request& r) {
    return platform::watch(
        "orderStatus", [&db, &identity, r]() mutable { return get_status(db, identity, r); }, host.stream_reread());
  });
  router.add("GET", "/notifications", [&](Request& r) { return list_notifications(db, identity, r); });
  router.add("GET", "/notifications/{notificationId}", [&](Request& r) { return get_notification(db, identity, r); });
}

}  // namespace customer
