// The stores and their menus over HTTP: read by everyone, created by an admin, changed by
// the store's owner. Transport only.
#include <functional>

#include "app.hpp"
#include "contracts/codec.hpp"
#include "platform/clock.hpp"
#include "platform/hal.hpp"
#include "platform/log.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace store {

namespace {

using platform::Db;
using platform::Request;
using platform::Response;

boost::json::object store_json(const Store& store, const Reviews& reviews, std::int64_t now_ms) {
  auto id = std::to_string(store.store_id);
  auto self = "/stores/" + id;
  auto opens = store.opens_next(now_ms);
  return {{"storeId", store.store_id},
          {"name", store.name},
          {"category", store.category},
          {"address", store.address},
          {"lat", store.lat},
          {"lon", store.lon},
          {"rating", reviews.rating ? boost::json::value(*reviews.rating) : boost::json::value(nullptr)},
          {"reviewCount", reviews.count},
          {"openNow", store.open_at(now_ms)},
          {"opensAt", opens ? boost::json::value(contracts::store_terms::seoul_time(*opens)) : boost::json::value(nullptr)},
          {"open", store.open},
          {"openingHours", contracts::codec::write(store.opening_hours)},
          {"minimumOrder", store.minimum_order},
          {"deliveryFees", contracts::codec::write(store.delivery_fees)},
          {"_links", platform::hal::links({{"self", self}, {"store", self}, {"reviews", "/reviews?storeId=" + id}})}};
}

boost::json::object item_json(std::int64_t store_id, const MenuItem& item) {
  auto self = "/stores/" + std::to_string(store_id) + "/menu/" + std::to_string(item.menu_id);
  return {{"menuId", item.menu_id},
          {"name", item.name},
          {"price", item.price},
          {"description", item.description},
          {"category", item.category},
          {"soldOut", item.sold_out},
          {"_links", platform::hal::links({{"self", self}, {"soldOut", self + "/soldOut"}})}};
}

boost::json::object store_with_menu(Db& db, const Store& store) {
  auto body = store_json(store, reviews_by_store(db, store.store_id)[store.store_id], platform::now_ms());
  boost::json::array menu;
  for (const auto& item : store.menu) menu.push_back(item_json(store.store_id, item));
  body["menu"] = std::move(menu);
  return body;
}

constexpr platform::paging::SortField kStoreSorts[] = {
    {"storeId", "store_id"}, {"name", "name"}, {"category", "category"}};

Response list_stores(Db& db, Request& request) {
  auto page = platform::paging::parse(request.query, kStoreSorts);
  auto slice = platform::paging::select_page(db, stores(), "", {}, page, "store_id");
  auto reviews = reviews_by_store(db);
  auto now = platform::now_ms();
  boost::json::array items;
  for (const auto& store : slice.items) items.push_back(store_json(store, reviews[store.store_id], now));
  return platform::json_response(
      200, platform::hal::collection("stores", std::move(items), request, page, slice.total_elements));
}

Response get_store(Db& db, Request& request) {
  auto store = stores().get(db, request.id_param("storeId"));
  store.menu = menu_of(db, store.store_id);
  return platform::json_response(200, store_with_menu(db, store));
}

Response post_store(Db& db, const platform::Identity& identity, Request& request) {
  auto admin = identity.require(request, "admin");
  auto created = create_store(db, parse_new_store(request.json_object()));
  platform::log::info("store created", {{"storeId", std::to_string(created.store_id)}, {"admin", admin.subject}});
  auto response = platform::json_response(201, store_with_menu(db, created));
  response.headers.emplace_back("Location", "/stores/" + std::to_string(created.store_id));
  return response;
}

using Change = std::function<platform::Events(Store&, Db&)>;

// An owner's change to their own store: 403 for another role or another's store, 404 for a
// store that does not exist, and the domain's 400/404/409; nothing changes then.
Store change(Db& db, const platform::Identity& identity, Request& request, const Change& change) {
  auto owner = identity.require(request, "owner");
  auto store_id = request.id_param("storeId");
  auto store = change_store(db, store_id, [&](Store& s, Db& tx) {
    if (std::to_string(store_id) != owner.store_id)
      throw platform::forbidden("store " + std::to_string(store_id) + " is not yours");
    return change(s, tx);
  });
  platform::log::info("store changed", {{"storeId", std::to_string(store_id)}, {"revision", std::to_string(store.revision)}});
  return store;
}

const MenuItem& item_of(const Store& store, std::int64_t menu_id) {
  for (const auto& item : store.menu)
    if (item.menu_id == menu_id) return item;
  throw std::logic_error("menu item " + std::to_string(menu_id) + " is missing right after its change");
}

}  // namespace

void add_catalog_routes(platform::ServiceHost& host) {
  auto& db = host.db();
  const auto& identity = host.identity();
  auto& router = host.router();
  router.add("GET", "/stores", [&](Request& r) { return list_stores(db, r); });
  router.add("GET", "/stores/{storeId}", [&](Request& r) { return get_store(db, r); });
  router.add("POST", "/stores", [&](Request& r) { return post_store(db, identity, r); });
  router.add("PUT", "/stores/{storeId}/settings", [&](Request& r) {
    auto store =
        change(db, identity, r, [&](Store& s, Db&) { return s.change_settings(parse_settings(r.json_object())); });
    return platform::json_response(200, store_with_menu(db, store));
  });
  router.add("POST", "/stores/{storeId}/menu", [&](Request& r) {
    std::int64_t menu_id = 0;
    auto store = change(db, identity, r, [&](Store& s, Db& tx) {
      auto draft = parse_menu_item(r.json_object(), true);
      menu_id = next_menu_id(tx);
      return s.add_item(menu_id, draft);
    });
    auto response = platform::json_response(201, item_json(store.store_id, item_of(store, menu_id)));
    response.headers.emplace_back("Location", "/stores/" + std::to_string(store.store_id) + "/menu/" + std::to_string(menu_id));
    return response;
  });
  router.add("PUT", "/stores/{storeId}/menu/{menuId}", [&](Request& r) {
    auto menu_id = r.id_param("menuId");
    auto store = change(db, identity, r, [&](Store& s, Db&) {
      return s.edit_item(menu_id, parse_menu_item(r.json_object(), false));
    });
    return platform::json_response(200, item_json(store.store_id, item_of(store, menu_id)));
  });
  router.add("DELETE", "/stores/{storeId}/menu/{menuId}", [&](Request& r) {
    auto menu_id = r.id_param("menuId");
    change(db, identity, r, [&](Store& s, Db&) { return s.remove_item(menu_id); });
    return Response{204, "application/json", {}, {}};
  });
  router.add("PUT", "/stores/{storeId}/menu/{menuId}/soldOut", [&](Request& r) {
    auto menu_id = r.id_param("menuId");
    auto store = change(db, identity, r, [&](Store& s, Db&) {
      return s.mark_sold_out(menu_id, parse_sold_out(r.json_object()));
    });
    return platform::json_response(200, item_json(store.store_id, item_of(store, menu_id)));
  });
}

}  // namespace store
