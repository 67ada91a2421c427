#include "domain/catalog.hpp"

#include <algorithm>
#include <tuple>

#include "contracts/events.hpp"
#include "platform/problem.hpp"
#include "platform/request_fields.hpp"

namespace store {

namespace {

using platform::bad_request;
namespace fields = platform::fields;
namespace terms = contracts::store_terms;

const boost::json::array& array_field(const boost::json::object& body, std::string_view name, std::size_t most,
                                      std::string_view of) {
  const auto* value = body.if_contains(name);
  if (!value || !value->is_array()) throw bad_request(std::string(name) + " must be an array of " + std::string(of));
  if (value->get_array().size() > most)
    throw bad_request(std::string(name) + " holds at most " + std::to_string(most) + " entries");
  return value->get_array();
}

const boost::json::object& entry(const boost::json::array& array, std::size_t i, std::string_view name,
                                 std::string_view of) {
  if (!array[i].is_object())
    throw bad_request(std::string(name) + "[" + std::to_string(i) + "] must be an object " + std::string(of));
  return array[i].get_object();
}

std::int64_t amount(const boost::json::object& body, std::string_view name, std::int64_t most,
                    const std::string& where = "") {
  auto value = fields::integer(body, name, where);
  if (value < 0 || value > most)
    throw bad_request(where + std::string(name) + " must be between 0 and " + std::to_string(most));
  return value;
}

std::vector<contracts::OpeningHours> parse_hours(const boost::json::object& body) {
  constexpr std::string_view kShape = "{day: MON..SUN, opens: \"HH:MM\", closes: \"HH:MM\"}";
  const auto& array = array_field(body, "openingHours", kMaxOpenings, kShape);
  std::vector<contracts::OpeningHours> hours;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& opening = entry(array, i, "openingHours", kShape);
    auto where = "openingHours[" + std::to_string(i) + "].";
    fields::only(opening, {"day", "opens", "closes"}, where);
    auto text = [&](std::string_view name) {
      const auto* value = opening.if_contains(name);
      if (!value || !value->is_string()) throw bad_request(where + std::string(name) + " must be a string");
      return std::string(value->get_string());
    };
    contracts::OpeningHours parsed{text("day"), text("opens"), text("closes")};
    if (terms::day_index(parsed.day) < 0) throw bad_request(where + "day must be one of MON TUE WED THU FRI SAT SUN");
    for (auto [name, time] : {std::pair{"opens", &parsed.opens}, std::pair{"closes", &parsed.closes}})
      if (terms::minute_of(*time) < 0) throw bad_request(where + name + " must be a time HH:MM from 00:00 to 23:59");
    hours.push_back(std::move(parsed));
  }
  return hours;
}

std::vector<contracts::FeeBand> parse_fees(const boost::json::object& body) {
  constexpr std::string_view kShape = "{upToMeters, fee}";
  const auto& array = array_field(body, "deliveryFees", kMaxFeeBands, kShape);
  std::vector<contracts::FeeBand> bands;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const auto& band = entry(array, i, "deliveryFees", kShape);
    auto where = "deliveryFees[" + std::to_string(i) + "].";
    fields::only(band, {"upToMeters", "fee"}, where);
    contracts::FeeBand parsed{amount(band, "upToMeters", kMaxFeeMeters, where), amount(band, "fee", kMaxPrice, where)};
    if (parsed.upToMeters == 0) throw bad_request(where + "upToMeters must be positive");
    if (!bands.empty() && parsed.upToMeters <= bands.back().upToMeters)
      throw bad_request(where + "upToMeters must be farther than the band before it (" +
                        std::to_string(bands.back().upToMeters) + ")");
    bands.push_back(parsed);
  }
  return bands;
}

MenuItem made(std::int64_t menu_id, const MenuItemDraft& draft) {
  return {menu_id, *draft.name, *draft.price, draft.description.value_or(""), draft.category.value_or(""), false};
}

}  // namespace

MenuItemDraft parse_menu_item(const boost::json::object& body, bool adding, const std::string& where) {
  fields::only(body, {"name", "price", "description", "category"}, where);
  MenuItemDraft draft;
  auto text = [&](std::string_view name, std::size_t most, std::size_t least) -> std::optional<std::string> {
    if (!body.contains(name) && !(adding && name == "name")) return std::nullopt;
    try {
      return fields::text(body, name, most, least);
    } catch (const platform::Problem& problem) {
      throw bad_request(where + problem.detail);
    }
  };
  draft.name = text("name", kMaxName, 1);
  draft.description = text("description", kMaxDescription, 0);
  draft.category = text("category", kMaxCategory, 0);
  if (adding || body.contains("price")) {
    draft.price = fields::integer(body, "price", where);
    if (*draft.price < 1 || *draft.price > kMaxPrice)
      throw bad_request(where + "price must be between 1 and " + std::to_string(kMaxPrice) + " (KRW)");
  }
  if (!adding && body.empty()) throw bad_request("give at least one of name, price, description, category");
  return draft;
}

bool parse_sold_out(const boost::json::object& body) {
  fields::only(body, {"soldOut"});
  const auto* value = body.if_contains("soldOut");
  if (!value || !value->is_bool()) throw bad_request("soldOut must be true or false");
  return value->get_bool();
}

StoreSettings parse_settings(const boost::json::object& body) {
  fields::only(body, {"open", "openingHours", "minimumOrder", "deliveryFees"});
  if (body.empty()) throw bad_request("give at least one of open, openingHours, minimumOrder, deliveryFees");
  StoreSettings settings;
  if (const auto* open = body.if_contains("open")) {
    if (!open->is_bool()) throw bad_request("open must be true or false");
    settings.open = open->get_bool();
  }
  if (body.contains("openingHours")) settings.opening_hours = parse_hours(body);
  if (body.contains("minimumOrder")) settings.minimum_order = amount(body, "minimumOrder", kMaxPrice);
  if (body.contains("deliveryFees")) settings.delivery_fees = parse_fees(body);
  return settings;
}

NewStore parse_new_store(const boost::json::object& body) {
  fields::only(body, {"name", "category", "address", "lat", "lon", "menu", "openingHours", "minimumOrder",
                      "deliveryFees"});
  NewStore request;
  request.name = fields::text(body, "name", kMaxName);
  request.category = fields::text(body, "category", kMaxCategory);
  request.address = fields::text(body, "address", kMaxAddress);
  request.lat = fields::number(body, "lat");
  request.lon = fields::number(body, "lon");
  if (request.lat < -90 || request.lat > 90) throw bad_request("lat must be between -90 and 90");
  if (request.lon < -180 || request.lon > 180) throw bad_request("lon must be between -180 and 180");
  if (body.contains("menu")) {
    const auto& menu = array_field(body, "menu", kMaxMenu, "{name, price, description?, category?}");
    for (std::size_t i = 0; i < menu.size(); ++i)
      request.menu.push_back(parse_menu_item(entry(menu, i, "menu", "{name, price, description?, category?}"), true,
                                             "menu[" + std::to_string(i) + "]."));
  }
  if (body.contains("openingHours")) request.settings.opening_hours = parse_hours(body);
  if (body.contains("minimumOrder")) request.settings.minimum_order = amount(body, "minimumOrder", kMaxPrice);
  if (body.contains("deliveryFees")) request.settings.delivery_fees = parse_fees(body);
  return request;
}

std::pair<Store, platform::Events> Store::create(std::int64_t store_id, const NewStore& request,
                                                 const std::function<std::int64_t()>& next_menu_id) {
  Store store{store_id, request.name, request.category, request.address, request.lat, request.lon};
  store.open = false;
  for (const auto& draft : request.menu) {
    try {
      store.check_name_free(*draft.name, 0);
    } catch (const platform::Problem& problem) {
      throw bad_request("menu: " + problem.detail);
    }
    store.menu.push_back(made(next_menu_id(), draft));
  }
  store.opening_hours = request.settings.opening_hours.value_or(std::vector<contracts::OpeningHours>{});
  store.minimum_order = request.settings.minimum_order.value_or(0);
  store.delivery_fees = request.settings.delivery_fees.value_or(std::vector<contracts::FeeBand>{});
  // Announced as every store is (StoreOpened, the seeds' event), but without its menu: the order service's replica then has no dish of it to order until
  // StoreChanged brings the store whole and closed, whichever of the two arrives first.
  auto events = platform::events(contracts::StoreOpened{store_id, store.name, store.category, store.address,
                                                        store.lat, store.lon, {}});
  auto changed = store.changed("store created");
  events.insert(events.end(), changed.begin(), changed.end());
  return {std::move(store), std::move(events)};
}

platform::Events Store::opened() const {
  std::vector<contracts::MenuEntry> entries;
  for (const auto& item : menu) entries.push_back({item.menu_id, item.name, item.price});
  return platform::events(contracts::StoreOpened{store_id, name, category, address, lat, lon, std::move(entries)});
}

MenuItem& Store::item(std::int64_t menu_id) {
  auto found = std::find_if(menu.begin(), menu.end(), [&](const MenuItem& i) { return i.menu_id == menu_id; });
  if (found == menu.end())
    throw platform::not_found("no menu item " + std::to_string(menu_id) + " in store " + std::to_string(store_id));
  return *found;
}

void Store::check_name_free(const std::string& dish, std::int64_t except_menu_id) const {
  for (const auto& other : menu)
    if (other.name == dish && other.menu_id != except_menu_id)
      throw platform::conflict("the menu already has '" + dish + "' (menuId " + std::to_string(other.menu_id) + ")");
}

platform::Events Store::add_item(std::int64_t menu_id, const MenuItemDraft& draft) {
  if (menu.size() >= kMaxMenu) throw platform::conflict("a menu holds at most " + std::to_string(kMaxMenu) + " items");
  check_name_free(*draft.name, 0);
  menu.push_back(made(menu_id, draft));
  return changed("menu item " + std::to_string(menu_id) + " added");
}

platform::Events Store::edit_item(std::int64_t menu_id, const MenuItemDraft& draft) {
  auto& dish = item(menu_id);
  if (draft.name) check_name_free(*draft.name, menu_id);
  MenuItem edited = dish;
  if (draft.name) edited.name = *draft.name;
  if (draft.price) edited.price = *draft.price;
  if (draft.description) edited.description = *draft.description;
  if (draft.category) edited.category = *draft.category;
  if (std::tie(dish.name, dish.price, dish.description, dish.category) == std::tie(edited.name, edited.price, edited.description, edited.category))
    throw platform::conflict("menu item " + std::to_string(menu_id) + " already is as given");
  dish = std::move(edited);
  return changed("menu item " + std::to_string(menu_id) + " edited");
}

platform::Events Store::remove_item(std::int64_t menu_id) {
  item(menu_id);
  std::erase_if(menu, [&](const MenuItem& i) { return i.menu_id == menu_id; });
  return changed("menu item " + std::to_string(menu_id) + " removed");
}

platform::Events Store::mark_sold_out(std::int64_t menu_id, bool sold_out) {
  auto& dish = item(menu_id);
  if (dish.sold_out == sold_out)
    throw platform::conflict("menu item " + std::to_string(menu_id) + " is already " +
                             (sold_out ? "sold out" : "on sale"));
  dish.sold_out = sold_out;
  return changed("menu item " + std::to_string(menu_id) + (sold_out ? " sold out" : " back on sale"));
}

platform::Events Store::change_settings(const StoreSettings& settings) {
  std::vector<std::string> what;
  if (settings.open && *settings.open != open) {
    open = *settings.open;
    what.push_back(open ? "opened" : "closed");
  }
  auto hours_of = [](const std::vector<contracts::OpeningHours>& hours) {
    std::vector<std::tuple<std::string, std::string, std::string>> out;
    for (const auto& h : hours) out.emplace_back(h.day, h.opens, h.closes);
    return out;
  };
  if (settings.opening_hours && hours_of(*settings.opening_hours) != hours_of(opening_hours)) {
    opening_hours = *settings.opening_hours;
    what.push_back("opening hours");
  }
  if (settings.minimum_order && *settings.minimum_order != minimum_order) {
    minimum_order = *settings.minimum_order;
    what.push_back("minimum order");
  }
  auto bands_of = [](const std::vector<contracts::FeeBand>& bands) {
    std::vector<std::pair<std::int64_t, std::int64_t>> out;
    for (const auto& b : bands) out.emplace_back(b.upToMeters, b.fee);
    return out;
  };
  if (settings.delivery_fees && bands_of(*settings.delivery_fees) != bands_of(delivery_fees)) {
    delivery_fees = *settings.delivery_fees;
    what.push_back("delivery fees");
  }
  if (what.empty()) throw platform::conflict("store " + std::to_string(store_id) + " already has these settings");
  std::string change;
  for (const auto& w : what) change += (change.empty() ? "" : ", ") + w;
  return changed(change);
}

bool Store::open_at(std::int64_t epoch_ms) const { return open && terms::open_at(opening_hours, epoch_ms); }

std::optional<std::int64_t> Store::opens_next(std::int64_t epoch_ms) const {
  if (!open || open_at(epoch_ms)) return std::nullopt;
  return terms::next_opening(opening_hours, epoch_ms);
}

platform::Events Store::changed(std::string change) {
  ++revision;
  std::vector<contracts::MenuItemState> states;
  for (const auto& i : menu) states.push_back({i.menu_id, i.name, i.price, i.description, i.category, i.sold_out});
  return platform::events(contracts::StoreChanged{store_id, revision, std::move(change), name, category, address, lat,
                                                  lon, std::move(states), open, opening_hours, minimum_order,
                                                  delivery_fees});
}

std::vector<Store> demo_stores() {
  return {
      {1, "교촌치킨 강남역점", "치킨", "서울 강남구 강남대로 396", 37.4979, 127.0276,
       {{101, "허니콤보", 23000}, {102, "레드콤보", 23000}, {103, "교촌오리지날", 19000}, {104, "치즈볼", 5000}}},
      {2, "신전떡볶이 홍대점", "분식", "서울 마포구 양화로 160", 37.5563, 126.9236,
       {{201, "신전떡볶이", 3500}, {202, "치즈떡볶이", 5000}, {203, "김말이튀김", 2500}, {204, "오뎅", 2000}}},
      {3, "본죽 광화문점", "죽", "서울 종로구 세종대로 175", 37.5716, 126.9768,
       {{301, "전복죽", 15000}, {302, "쇠고기야채죽", 11000}, {303, "단호박죽", 10000}}},
      {4, "명동교자 본점", "한식", "서울 중구 명동10길 29", 37.5636, 126.9856,
       {{401, "칼국수", 11000}, {402, "만두", 11000}, {403, "비빔국수", 11000}, {404, "콩국수", 13000}}},
  };
}

}  // namespace store
