#include "app.hpp"

#include <boost/json.hpp>

#include "domain/order_status.hpp"
#include "kakao_talk.hpp"
#include "notifications.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"
#include "platform/service_host.hpp"
#include "rebuild.hpp"
#include "status_view.hpp"

namespace customer {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

constexpr std::int64_t kListLimit = 100;

boost::json::value text_or_null(const std::string& text) {
  return text.empty() ? boost::json::value(nullptr) : boost::json::value(text);
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
          {"timeline", std::move(timeline)},
          {"_links", platform::hal::links({{"self", "/orderStatuses/" + id}, {"order", "/orders/" + id}})}};
}

Response get_status(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  auto id = request.id_param("orderId");
  auto view = status_view::load(db, id);
  if (!view || view->customer != caller.subject) throw platform::not_found("no order status for order " + std::to_string(id));
  return platform::json_response(200, view_json(*view));
}

Response list_statuses(Db& db, const platform::Identity& identity, Request& request) {
  auto caller = identity.require(request, "customer");
  boost::json::array items;
  for (const auto& view : status_view::of_customer(db, caller.subject, kListLimit)) items.push_back(view_json(view));
  return platform::json_response(200, platform::hal::collection("orderStatuses", std::move(items), "/orderStatuses"));
}

// The view and the message announcing a new status are committed together with the event's
// inbox entry: a status change is never seen without its message queued, nor the reverse.
void project(Db& tx, const platform::ReceivedEvent& event) {
  try {
    auto* id = event.body.if_contains("orderId");
    if (!id || !id->is_int64()) throw std::invalid_argument(event.type + " without an integer orderId");
    auto view = status_view::load(tx, id->get_int64());
    auto effect = apply(view, event.type, event.body);
    if (effect == Effect::TooEarly)
      throw std::runtime_error(event.type + " arrived before its order's OrderPlaced; retrying");
    if (effect == Effect::Ignored) return;
    status_view::save(tx, *view);
    if (effect == Effect::StatusChanged) queue_notification(tx, *view);
  } catch (const std::invalid_argument& malformed) {
    // Delivering it again cannot make it whole: recorded as processed, with no effect.
    platform::log::warn("malformed event ignored",
                        {{"orderId", event.order_id()}, {"eventType", event.type}, {"error", malformed.what()}});
  }
}

std::map<std::string, platform::Reaction> install(platform::ServiceHost& host) {
  auto& db = host.db();
  auto nats_url = host.config().get("NATS_URL", platform::MessagingOptions{}.url);
  if (status_view::prepare(db) == status_view::Shape::Outdated) {
    platform::log::warn("the status view has an older shape: rebuilding it from the event stream");
    reset_view(db, nats_url);
    status_view::prepare(db);
  }
  prepare_notifications(db);
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/orderStatuses", [&](Request& r) { return list_statuses(db, identity, r); });
  router.add("GET", "/orderStatuses/{orderId}", [&](Request& r) { return get_status(db, identity, r); });
  add_notification_routes(router, db, identity);
  std::map<std::string, platform::Reaction> reactions;
  for (const auto& type : followed_events()) reactions[type] = project;
  return reactions;
}

}  // namespace

int serve() {
  try {
    platform::ServiceHost host(kServiceName);
    auto messenger = messenger_from(host.config());  // wrong Kakao settings stop the start before any work
    auto reactions = install(host);
    // Declared after the host, so it stops before the host's database closes.
    NotificationSender sender(host.db(), std::move(messenger));
    return host.run(std::move(reactions));
  } catch (const std::exception& error) {
    platform::log::init(kServiceName);  // the host may have failed before it set up the logs
    platform::log::error("service failed to start", {{"error", error.what()}});
    return 1;
  }
}

}  // namespace customer
