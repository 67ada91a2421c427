// The order service's HTTP handlers for reviews: transport only.
#include <boost/json.hpp>

#include "app.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/problem.hpp"

namespace order {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::object review_json(const Review& review) {
  auto id = std::to_string(review.id);
  return {{"reviewId", review.id},
          {"orderId", review.order_id},
          {"storeId", review.store_id},
          {"customerId", review.customer},
          {"rating", review.rating},
          {"content", review.content},
          {"createdAt", platform::iso_time(review.created_at)},
          {"_links", platform::hal::links(
                         {{"self", "/reviews/" + id}, {"order", "/orders/" + std::to_string(review.order_id)}})}};
}

Response post_review(Db& db, const platform::Identity& identity, Request& request) {
  auto customer = identity.require(request, "customer");
  auto command = parse_review(request.json_object());
  auto review = platform::create(db, reviews(), [&](Db& tx) {
    auto order = orders().find(tx, command.order_id);
    if (!order || order->customer != customer.subject)
      throw platform::not_found("no order " + std::to_string(command.order_id) + " among your orders");
    if (!reviews().select(tx, "WHERE order_id = ?", {order->id}).empty())
      throw platform::conflict("order " + std::to_string(order->id) + " has already been reviewed");
    return order->review(reviews().next_key(tx), command, platform::now_ms());
  });
  auto response = platform::json_response(201, review_json(review));
  response.headers.emplace_back("Location", "/reviews/" + std::to_string(review.id));
  return response;
}

// A store's reviews and average rating: public, like the store itself, for its owner and
// for customers choosing a store.
Response list_reviews(Db& db, Request& request) {
  auto store_id = request.id_query("storeId");
  boost::json::array items;
  std::int64_t sum = 0;
  for (const auto& review : reviews().select(db, "WHERE store_id = ? ORDER BY review_id DESC LIMIT 200", {store_id})) {
    sum += review.rating;
    items.push_back(review_json(review));
  }
  auto count = static_cast<std::int64_t>(items.size());
  auto body = platform::hal::collection("reviews", std::move(items), "/reviews?storeId=" + std::to_string(store_id));
  body["storeId"] = store_id;
  body["reviewCount"] = count;
  body["averageRating"] = count ? static_cast<double>(sum) / static_cast<double>(count) : 0.0;
  return platform::json_response(200, body);
}

Response get_review(Db& db, Request& request) {
  return platform::json_response(200, review_json(reviews().get(db, request.id_param("reviewId"))));
}

}  // namespace

void add_review_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("POST", "/reviews", [&](Request& r) { return post_review(db, identity, r); });
  router.add("GET", "/reviews", [&](Request& r) { return list_reviews(db, r); });
  router.add("GET", "/reviews/{reviewId}", [&](Request& r) { return get_review(db, r); });
}

}  // namespace order
