#include "domain/catalog.hpp"

#include "contracts/events.hpp"

namespace store {

platform::Events Store::opened() const {
  std::vector<contracts::MenuEntry> entries;
  for (const auto& item : menu) entries.push_back({item.menu_id, item.name, item.price});
  return platform::events(contracts::StoreOpened{store_id, name, category, address, lat, lon, std::move(entries)});
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
