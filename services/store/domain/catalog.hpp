#pragma once
// Stores and their menus, and the demo stores seeded on first start. No I/O here.
#include <cstdint>
#include <string>
#include <vector>

#include "platform/event.hpp"

namespace store {

struct MenuItem {
  std::int64_t menu_id = 0;
  std::string name;
  std::int64_t price = 0;  // KRW
};

struct Store {
  std::int64_t store_id = 0;
  std::string name;
  std::string category;
  std::string address;
  double lat = 0;
  double lon = 0;
  std::vector<MenuItem> menu;

  // StoreOpened carries the whole menu so other services can keep a replica.
  platform::Events opened() const;
};

// A few stores in Seoul with Korean menus; store 1 belongs to owner1, store 2 to owner2.
std::vector<Store> demo_stores();

}  // namespace store
