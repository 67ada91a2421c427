// The stores and their menus over HTTP, for everyone: transport only.
#include "app.hpp"
#include "platform/hal.hpp"
#include "platform/problem.hpp"

namespace store {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::object store_json(const Store& store, const Reviews& reviews) {
  auto id = std::to_string(store.store_id);
  auto self = "/stores/" + id;
  return {{"storeId", store.store_id},
          {"name", store.name},
          {"category", store.category},
          {"address", store.address},
          {"lat", store.lat},
          {"lon", store.lon},
          {"rating", reviews.rating ? boost::json::value(*reviews.rating) : boost::json::value(nullptr)},
          {"reviewCount", reviews.count},
          {"_links", platform::hal::links({{"self", self}, {"store", self}, {"reviews", "/reviews?storeId=" + id}})}};
}

constexpr platform::paging::SortField kStoreSorts[] = {
    {"storeId", "store_id"}, {"name", "name"}, {"category", "category"}};

Response list_stores(Db& db, Request& request) {
  auto page = platform::paging::parse(request.query, kStoreSorts);
  auto slice = platform::paging::select_page(db, stores(), "", {}, page, "store_id");
  auto reviews = reviews_by_store(db);
  boost::json::array items;
  for (const auto& store : slice.items) items.push_back(store_json(store, reviews[store.store_id]));
  return platform::json_response(
      200, platform::hal::collection("stores", std::move(items), request, page, slice.total_elements));
}

Response get_store(Db& db, Request& request) {
  auto id = request.id_param("storeId");
  auto store = stores().get(db, id);
  auto body = store_json(store, reviews_by_store(db, id)[id]);
  boost::json::array menu;
  for (const auto& item : menu_of(db, id))
    menu.push_back({{"menuId", item.menu_id}, {"name", item.name}, {"price", item.price}});
  body["menu"] = std::move(menu);
  return platform::json_response(200, body);
}

}  // namespace

void add_catalog_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  host.router().add("GET", "/stores", [&](Request& r) { return list_stores(db, r); });
  host.router().add("GET", "/stores/{storeId}", [&](Request& r) { return get_store(db, r); });
}

}  // namespace store
