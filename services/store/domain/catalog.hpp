#pragma once
// Stores and their menus: an admin creates a store, its owner changes the menu and the
// store's terms (open or closed, weekly hours, minimum order, delivery fee bands). Each
// change returns StoreChanged with the whole store, for the order service's replica. The
// demo stores are seeded on first start. No I/O here.
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "contracts/events.hpp"
#include "platform/event.hpp"

namespace store {

struct MenuItem {
  std::int64_t menu_id = 0;
  std::string name;
  std::int64_t price = 0;  // KRW
  std::string description;
  std::string category;
  bool sold_out = false;
};

inline constexpr std::size_t kMaxName = 100;
inline constexpr std::size_t kMaxDescription = 500;
inline constexpr std::size_t kMaxCategory = 50;
inline constexpr std::size_t kMaxAddress = 200;
inline constexpr std::size_t kMaxMenu = 200;
inline constexpr std::size_t kMaxOpenings = 21;
inline constexpr std::size_t kMaxFeeBands = 10;
inline constexpr std::int64_t kMaxPrice = 10'000'000;    // KRW
inline constexpr std::int64_t kMaxFeeMeters = 100'000;   // 100 km

// A menu item as a client writes it; `name` and `price` are required when adding.
struct MenuItemDraft {
  std::optional<std::string> name;
  std::optional<std::int64_t> price;
  std::optional<std::string> description;
  std::optional<std::string> category;
};
// Problem 400 naming the field. `adding`: name and price are required; otherwise at least
// one field is.
MenuItemDraft parse_menu_item(const boost::json::object& body, bool adding, const std::string& where = "");
// {"soldOut": true|false}
bool parse_sold_out(const boost::json::object& body);

// The owner's terms; an absent field stays as it is.
struct StoreSettings {
  std::optional<bool> open;
  std::optional<std::vector<contracts::OpeningHours>> opening_hours;
  std::optional<std::int64_t> minimum_order;
  std::optional<std::vector<contracts::FeeBand>> delivery_fees;
};
// Problem 400 naming the field; at least one field.
StoreSettings parse_settings(const boost::json::object& body);

// An admin's new store: POST /stores.
struct NewStore {
  std::string name;
  std::string category;
  std::string address;
  double lat = 0;
  double lon = 0;
  std::vector<MenuItemDraft> menu;
  StoreSettings settings;
};
// Problem 400 naming the field.
NewStore parse_new_store(const boost::json::object& body);

struct Store {
  std::int64_t store_id = 0;
  std::string name;
  std::string category;
  std::string address;
  double lat = 0;
  double lon = 0;
  std::vector<MenuItem> menu;
  bool open = true;  // the owner's toggle
  std::vector<contracts::OpeningHours> opening_hours;  // none: all week
  std::int64_t minimum_order = 0;                      // KRW, of the items
  std::vector<contracts::FeeBand> delivery_fees;       // none: free delivery
  std::int64_t revision = 0;  // 0 for a demo store never changed; StoreChanged's revision after

  // A new store starts closed, so that its owner opens it once the menu is ready: StoreOpened
  // without its menu, then StoreChanged (revision 1). Menu ids come from next_menu_id.
  // Problem 400 for a menu naming a dish twice.
  static std::pair<Store, platform::Events> create(std::int64_t store_id, const NewStore& request,
                                                   const std::function<std::int64_t()>& next_menu_id);

  // StoreOpened carries the whole menu so other services can keep a replica (the demo seeds).
  platform::Events opened() const;

  // The owner's changes. Problem 404 for a menu item the store does not have, 409 for a
  // name another item of the menu has, or a change that changes nothing.
  platform::Events add_item(std::int64_t menu_id, const MenuItemDraft& draft);
  platform::Events edit_item(std::int64_t menu_id, const MenuItemDraft& draft);
  platform::Events remove_item(std::int64_t menu_id);
  platform::Events mark_sold_out(std::int64_t menu_id, bool sold_out);
  platform::Events change_settings(const StoreSettings& settings);

  // Open for orders at the instant: the toggle is on and the hours hold it.
  bool open_at(std::int64_t epoch_ms) const;
  // When a closed store opens next by its hours; nothing when only the owner can open it.
  std::optional<std::int64_t> opens_next(std::int64_t epoch_ms) const;

 private:
  MenuItem& item(std::int64_t menu_id);
  void check_name_free(const std::string& name, std::int64_t except_menu_id) const;
  platform::Events changed(std::string change);
};

// A few stores in Seoul with Korean menus; store 1 belongs to owner1, store 2 to owner2.
std::vector<Store> demo_stores();

}  // namespace store
