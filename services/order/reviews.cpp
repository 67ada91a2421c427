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

constexpr platform::paging::SortField kReviewSorts[] = {
    {"reviewId", "review_id"}, {"createdAt", "created_at"}, {"rating", "rating"}};

// A store's reviews, newest first unless sorted otherwise, and its average rating over all
// of them (not only this page's): public, like the store itself, for its owner and for
// customers choosing a store.
Response list_reviews(Db& db, Request& request) {
  auto store_id = request.id_query("storeId");
  auto page = platform::paging::parse(request.query, kReviewSorts);
  auto slice = platform::paging::select_page(db, reviews(), "WHERE store_id = ?", {store_id}, page, "review_id DESC");
  auto average = db.query_one("SELECT AVG(rating) AS average FROM reviews WHERE store_id = ?", {store_id});
  boost::json::array items;
  for (const auto& review : slice.items) items.push_back(review_json(review));
  auto body = platform::hal::collection("reviews", std::move(items), request, page, slice.total_elements);
  body["storeId"] = store_id;
  body["reviewCount"] = slice.total_elements;
  body["averageRating"] = average && !average->is_null("average") ? average->real("average") : 0.0;
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
