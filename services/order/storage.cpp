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
       platform::column("delivery_fee", &Order::delivery_fee),
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
        order.delivery_fee = row.integer("delivery_fee");
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
  using contracts::codec::read;
  using contracts::codec::write;
  static const platform::Table<CatalogStore> table{
      "catalog_store",
      "store",
      {platform::column("store_id", &CatalogStore::store_id),
       platform::column("name", &CatalogStore::name),
       platform::column("lat", &CatalogStore::lat),
       platform::column("lon", &CatalogStore::lon),
       platform::column("open", &CatalogStore::open),
       {"opening_hours", [](const CatalogStore& s) { return boost::json::serialize(write(s.opening_hours)); }},
       platform::column("minimum_order", &CatalogStore::minimum_order),
       {"delivery_fees", [](const CatalogStore& s) { return boost::json::serialize(write(s.delivery_fees)); }},
       platform::column("revision", &CatalogStore::revision)},
      [](const platform::Row& row) {
        CatalogStore store{row.integer("store_id"), row.text("name"), row.real("lat"), row.real("lon")};
        store.open = row.integer("open") != 0;
        store.opening_hours =
            read<std::vector<contracts::OpeningHours>>(boost::json::parse(row.text("opening_hours")), "opening_hours");
        store.minimum_order = row.integer("minimum_order");
        store.delivery_fees =
            read<std::vector<contracts::FeeBand>>(boost::json::parse(row.text("delivery_fees")), "delivery_fees");
        store.revision = row.integer("revision");
        return store;
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
       platform::column("price", &MenuItem::price),
       platform::column("sold_out", &MenuItem::sold_out)},
      [](const platform::Row& row) {
        return MenuItem{row.integer("menu_id"), row.integer("store_id"), row.text("name"), row.integer("price"),
                        row.integer("sold_out") != 0};
      }};
  return table;
}

// A store's menu is replaced whole: a dish it no longer sells can no longer be ordered. A
// StoreOpened (revision 0) after a StoreChanged is older than it, and changes nothing.
void replicate(platform::Db& tx, const contracts::StoreOpened& opened) {
  auto held = catalog_stores().find(tx, opened.storeId);
  if (held && held->revision > 0) return;
  catalog_stores().save(tx, {opened.storeId, opened.name, opened.lat, opened.lon});
  tx.exec("DELETE FROM catalog_menu WHERE store_id = ?", {opened.storeId});
  for (const auto& dish : opened.menu) catalog_menu().insert(tx, {dish.menuId, opened.storeId, dish.name, dish.price});
}

// Each StoreChanged carries the whole store: the highest revision wins, so one delivered
// twice, or after a later one (events without an orderId may cross on Kafka's partitions),
// changes nothing.
void replicate(platform::Db& tx, const contracts::StoreChanged& changed) {
  auto held = catalog_stores().find(tx, changed.storeId);
  if (held && held->revision >= changed.revision) return;
  catalog_stores().save(tx, {changed.storeId, changed.name, changed.lat, changed.lon, changed.open,
                             changed.openingHours, changed.minimumOrder, changed.deliveryFees, changed.revision});
  tx.exec("DELETE FROM catalog_menu WHERE store_id = ?", {changed.storeId});
  for (const auto& dish : changed.menu)
    catalog_menu().insert(tx, {dish.menuId, changed.storeId, dish.name, dish.price, dish.soldOut});
}

}  // namespace order
