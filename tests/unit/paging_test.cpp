// The one paging policy: what a caller may ask, the SQL it becomes, and the links.
#include <gtest/gtest.h>

#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "platform/paging.hpp"
#include "platform/db.hpp"
#include "platform/table.hpp"

namespace {

using platform::paging::PageRequest;
using platform::paging::SortField;
using Query = std::map<std::string, std::string>;

constexpr SortField kSorts[] = {{"orderId", "order_id"}, {"placedAt", "placed_at"}};

std::string refusal(const Query& query, std::span<const SortField> sortable = kSorts) {
  try {
    platform::paging::parse(query, sortable);
  } catch (const platform::Problem& problem) {
    return std::to_string(problem.status) + " " + problem.detail;
  }
  return "accepted";
}

std::string links_text(const Query& query, const PageRequest& page, std::int64_t total) {
  std::string out;
  for (const auto& [rel, href] : platform::paging::links("/orders", query, page, total)) out += rel + " " + href + "\n";
  return out;
}

TEST(Paging, WithoutParametersIsTheFirstPageOfTheDefaultSizeInTheCollectionsOwnOrder) {
  auto page = platform::paging::parse({{"storeId", "1"}}, kSorts);
  EXPECT_EQ(page.number, 0);
  EXPECT_EQ(page.size, platform::paging::kDefaultSize);
  EXPECT_FALSE(page.sort);
  EXPECT_EQ(platform::paging::order_and_limit(page, "order_id DESC", "order_id"),
            "ORDER BY order_id DESC LIMIT ? OFFSET ?");
}

TEST(Paging, ReadsPageSizeAndSort) {
  auto page = platform::paging::parse({{"page", "2"}, {"size", "20"}, {"sort", "placedAt,desc"}}, kSorts);
  EXPECT_EQ(page.number, 2);
  EXPECT_EQ(page.size, 20);
  EXPECT_EQ(page.offset(), 40);
  ASSERT_TRUE(page.sort);
  EXPECT_EQ(page.sort->field, "placedAt");
  EXPECT_TRUE(page.sort->descending);
  // The key after the caller's column: rows placed at the same millisecond keep one order.
  EXPECT_EQ(platform::paging::order_and_limit(page, "order_id DESC", "order_id"),
            "ORDER BY placed_at DESC, order_id DESC LIMIT ? OFFSET ?");
  EXPECT_FALSE(platform::paging::parse({{"sort", "orderId"}}, kSorts).sort->descending);
  EXPECT_EQ(platform::paging::order_and_limit(platform::paging::parse({{"sort", "orderId,asc"}}, kSorts), "x", "order_id"),
            "ORDER BY order_id ASC LIMIT ? OFFSET ?");
  EXPECT_EQ(platform::paging::parse({{"size", "500"}}, kSorts).size, 500);
}

TEST(Paging, RefusesWhatIsNotAPageASizeOrAnAllowedSortNamingTheParameter) {
  for (const char* number : {"-1", "+1", "01", " 1", "1 ", "x", "", "1.0", "99999999999999999999"})
    EXPECT_EQ(refusal({{"page", number}}).rfind("400 query parameter page must be", 0), 0u) << number;
  EXPECT_EQ(refusal({{"page", std::to_string(std::numeric_limits<std::int64_t>::max())}, {"size", "20"}}),
            "400 query parameter page is too large for pages of 20; got '9223372036854775807'");
  for (const char* size : {"0", "501", "-5", "020", "ten", ""})
    EXPECT_EQ(refusal({{"size", size}}), "400 query parameter size must be a whole number from 1 to 500 (items a page); got '" +
                                             std::string(size) + "'");
  for (const char* sort : {"customer", "placedAt,up", "placedAt,", ",asc", "order_id", "placedAt,desc,x"})
    EXPECT_EQ(refusal({{"sort", sort}}), "400 query parameter sort must be a field of orderId, placedAt, optionally "
                                         "followed by ,asc or ,desc; got '" + std::string(sort) + "'");
  EXPECT_EQ(refusal({{"sort", "orderId"}}, {}),
            "400 query parameter sort is not accepted here: this collection has one fixed order; got 'orderId'");
  EXPECT_EQ(refusal({{"page", "0"}, {"size", "1"}, {"other", "-1"}}), "accepted");
}

TEST(Paging, CountsPagesUpward) {
  EXPECT_EQ(platform::paging::total_pages(0, 20), 0);
  EXPECT_EQ(platform::paging::total_pages(1, 20), 1);
  EXPECT_EQ(platform::paging::total_pages(40, 20), 2);
  EXPECT_EQ(platform::paging::total_pages(45, 20), 3);
}

TEST(Paging, LinksKeepTheCallersOtherParametersAndLeaveOutPrevOnTheFirstAndNextOnTheLast) {
  Query query{{"storeId", "1"}, {"q", "a b&c"}, {"page", "1"}, {"size", "20"}, {"sort", "placedAt,desc"}};
  auto page = platform::paging::parse(query, kSorts);
  EXPECT_EQ(links_text(query, page, 45),
            "self /orders?q=a%20b%26c&storeId=1&page=1&size=20&sort=placedAt,desc\n"
            "first /orders?q=a%20b%26c&storeId=1&page=0&size=20&sort=placedAt,desc\n"
            "prev /orders?q=a%20b%26c&storeId=1&page=0&size=20&sort=placedAt,desc\n"
            "next /orders?q=a%20b%26c&storeId=1&page=2&size=20&sort=placedAt,desc\n"
            "last /orders?q=a%20b%26c&storeId=1&page=2&size=20&sort=placedAt,desc\n");
  EXPECT_EQ(links_text({}, PageRequest{0, 20, {}}, 45),
            "self /orders?page=0&size=20\nfirst /orders?page=0&size=20\nnext /orders?page=1&size=20\n"
            "last /orders?page=2&size=20\n");
  EXPECT_EQ(links_text({}, PageRequest{2, 20, {}}, 45),
            "self /orders?page=2&size=20\nfirst /orders?page=0&size=20\nprev /orders?page=1&size=20\n"
            "last /orders?page=2&size=20\n");
  // No items: one (empty) page to point at; past the end: back towards it.
  EXPECT_EQ(links_text({}, PageRequest{0, 20, {}}, 0),
            "self /orders?page=0&size=20\nfirst /orders?page=0&size=20\nlast /orders?page=0&size=20\n");
  EXPECT_EQ(links_text({}, PageRequest{7, 20, {}}, 45),
            "self /orders?page=7&size=20\nfirst /orders?page=0&size=20\nprev /orders?page=6&size=20\n"
            "last /orders?page=2&size=20\n");
}

struct Item {
  std::int64_t id = 0;
  std::string owner;
  std::int64_t rank = 0;
};

const platform::Table<Item>& items() {
  static const platform::Table<Item> table{
      "items", "item",
      {platform::column("id", &Item::id), platform::column("owner", &Item::owner), platform::column("rank", &Item::rank)},
      [](const platform::Row& row) { return Item{row.integer("id"), row.text("owner"), row.integer("rank")}; }};
  return table;
}

TEST(Paging, SelectsOnePageAndCountsEveryRowOfTheSameFilter) {
  auto db = platform::open_database("sqlite::memory:");
  db->exec("CREATE TABLE items (id INTEGER PRIMARY KEY, owner TEXT NOT NULL, rank INTEGER NOT NULL)");
  db->transaction([](platform::Db& tx) {
    for (std::int64_t id = 1; id <= 45; ++id) items().insert(tx, {id, "a", id % 3});
    items().insert(tx, {46, "b", 0});
  });
  constexpr SortField sorts[] = {{"rank", "rank"}};
  auto ids = [&](const Query& query) {
    auto slice = platform::paging::select_page(*db, items(), "WHERE owner = ?", {std::string("a")},
                                               platform::paging::parse(query, sorts), "id DESC");
    std::string out = std::to_string(slice.total_elements) + ":";
    for (const auto& item : slice.items) out += " " + std::to_string(item.id);
    return out;
  };
  EXPECT_EQ(ids({{"size", "4"}}), "45: 45 44 43 42");
  EXPECT_EQ(ids({{"size", "4"}, {"page", "11"}}), "45: 1");
  EXPECT_EQ(ids({{"size", "4"}, {"page", "12"}}), "45:");
  // Equal ranks in the key's order, the same direction.
  EXPECT_EQ(ids({{"size", "5"}, {"sort", "rank,asc"}}), "45: 3 6 9 12 15");
  EXPECT_EQ(ids({{"size", "3"}, {"sort", "rank,desc"}}), "45: 44 41 38");
  // Every row exactly once over all pages, in a sorted order with many equal values.
  std::string walked;
  for (int number = 0; number < 5; ++number) {
    auto page = ids({{"size", "10"}, {"page", std::to_string(number)}, {"sort", "rank"}});
    walked += page.substr(page.find(':') + 1);
  }
  std::set<std::string> seen;
  std::istringstream in(walked);
  for (std::string id; in >> id;) EXPECT_TRUE(seen.insert(id).second) << id << " twice";
  EXPECT_EQ(seen.size(), 45u);
}

}  // namespace
