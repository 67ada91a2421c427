#include <boost/json.hpp>

#include "app.hpp"
#include "contracts/codec.hpp"
#include "platform/clock.hpp"

namespace order {

const platform::Table<Order>& orders() {
  using contracts::codec::read;
  using contracts::codec::write;
  static const platform::Table<Order> table{
      "orders",
      "order",
      {platform::column("order_id", &Order::id),
       platform::column("customer", &Order::customer),
       platform::column("store_id", &Order::store_id),
       platform::column("store_name", &Order::store_name),
       {"items", [](const Order& o) { return boost::json::serialize(write(o.items)); }},
       platform::column("total_price", &Order::total_price),
       platform::column("address", &Order::address),
       platform::column("lat", &Order::lat),
       platform::column("lon", &Order::lon),
       {"status", [](const Order& o) { return std::string(to_string(o.status)); }},
       {"rider", [](const Order& o) { return platform::text_or_null(o.rider); }},
       platform::column("placed_at", &Order::placed_at),
       {"updated_at", [](const Order&) { return platform::now_ms(); }},
       {"cancel_requested_at",
        [](const Order& o) { return o.cancel_requested_at ? platform::Value(o.cancel_requested_at) : nullptr; }},
       {"status_before_cancel",
        [](const Order& o) {
          return o.status_before_cancel ? platform::Value(std::string(to_string(*o.status_before_cancel))) : nullptr;
        }}},
      [](const platform::Row& row) {
        Order order;
        order.id = row.integer("order_id");
        order.customer = row.text("customer");
        order.store_id = row.integer("store_id");
        order.store_name = row.text("store_name");
        order.items = read<std::vector<LineItem>>(boost::json::parse(row.text("items")), "items");
        order.total_price = row.integer("total_price");
        order.address = row.text("address");
        order.lat = row.real("lat");
        order.lon = row.real("lon");
        order.status = status_from(row.text("status"));
        order.placed_at = row.integer("placed_at");
        order.rider = row.text("rider");
        if (!row.is_null("cancel_requested_at")) order.cancel_requested_at = row.integer("cancel_requested_at");
        if (!row.is_null("status_before_cancel"))
          order.status_before_cancel = status_from(row.text("status_before_cancel"));
        return order;
      }};
  return table;
}

const platform::Table<Review>& reviews() {
  static const platform::Table<Review> table{
      "reviews",
      "review",
      {platform::column("review_id", &Review::id),
       platform::column("order_id", &Review::order_id),
       platform::column("store_id", &Review::store_id),
       platform::column("customer", &Review::customer),
       platform::column("rating", &Review::rating),
       platform::column("content", &Review::content),
       platform::column("created_at", &Review::created_at)},
      [](const platform::Row& row) {
        return Review{row.integer("review_id"), row.integer("order_id"), row.integer("store_id"),  row.text("customer"),
                      row.integer("rating"),    row.text("content"),     row.integer("created_at")};
      }};
  return table;
}

const platform::Table<CatalogStore>& catalog_stores() {
  static const platform::Table<CatalogStore> table{"catalog_store",
                                                   "store",
                                                   {platform::column("store_id", &CatalogStore::store_id),
                                                    platform::column("name", &CatalogStore::name)},
                                                   [](const platform::Row& row) {
                                                     return CatalogStore{row.integer("store_id"), row.text("name")};
                                                   }};
  return table;
}

const platform::Table<MenuItem>& catalog_menu() {
  static const platform::Table<MenuItem> table{
      "catalog_menu",
      "menu item",
      {platform::column("menu_id", &MenuItem::menu_id),
       platform::column("store_id", &MenuItem::store_id),
       platform::column("name", &MenuItem::name),
       platform::column("price", &MenuItem::price)},
      [](const platform::Row& row) {
        return MenuItem{row.integer("menu_id"), row.integer("store_id"), row.text("name"), row.integer("price")};
      }};
  return table;
}

// A store's menu is replaced whole: a dish it no longer sells can no longer be ordered.
void replicate(platform::Db& tx, const contracts::StoreOpened& opened) {
  catalog_stores().save(tx, {opened.storeId, opened.name});
  tx.exec("DELETE FROM catalog_menu WHERE store_id = ?", {opened.storeId});
  for (const auto& dish : opened.menu) catalog_menu().insert(tx, {dish.menuId, opened.storeId, dish.name, dish.price});
}

}  // namespace order
