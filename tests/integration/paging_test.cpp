// Paging on the collections, through the gateway: true totals, every item once by the
// `next` links, `prev` and `last`, the caller's other parameters kept, and 400 for what is
// not a page, as one policy (platform/paging.hpp) answers for every collection.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/api.hpp"
#include "support/customer_and_owner.hpp"

namespace {

using fd::test::Api;
using fd::test::eventually;
using fd::test::order_request;
using fd::test::Reply;

constexpr int kOrders = 45;  // more than two pages of 20

std::string link(const Reply& reply, const char* rel) {
  const auto* found = reply.body.at("_links").as_object().if_contains(rel);
  return found ? std::string(found->at("href").as_string()) : std::string();
}

std::int64_t page_field(const Reply& reply, const char* field) { return reply.body.at("page").at(field).as_int64(); }

std::vector<std::int64_t> ids_of(const Reply& reply, const char* name) {
  std::vector<std::int64_t> ids;
  for (const auto& item : reply.body.at("_embedded").at(name).as_array()) ids.push_back(item.at("orderId").as_int64());
  return ids;
}

class Paging : public fd::test::CustomerAndOwner {
 protected:
  std::set<std::int64_t> placed;

  void place_orders() {
    for (int i = 0; i < kOrders; ++i) {
      auto reply = customer.post("/orders", order_request(1, 101, 1));
      ASSERT_EQ(reply.status, 201) << reply.raw;
      placed.insert(reply.body.at("orderId").as_int64());
    }
  }

  // Walks the collection from `first` by its `next` links: each page's object and links
  // checked on the way, every order of the customer seen exactly once; then back by `prev`.
  void walk(const std::string& path, const char* name) {
    auto first = customer.get(path + "?size=20");
    ASSERT_EQ(first.status, 200) << first.raw;
    EXPECT_EQ(page_field(first, "size"), 20);
    EXPECT_EQ(page_field(first, "totalElements"), kOrders);
    EXPECT_EQ(page_field(first, "totalPages"), 3);
    EXPECT_EQ(page_field(first, "number"), 0);
    EXPECT_EQ(link(first, "prev"), "");
    EXPECT_EQ(link(first, "self"), path + "?page=0&size=20");
    EXPECT_EQ(link(first, "first"), path + "?page=0&size=20");
    EXPECT_EQ(link(first, "last"), path + "?page=2&size=20");

    std::multiset<std::int64_t> seen;
    std::vector<std::size_t> sizes;
    std::string target = path + "?size=20";
    Reply page;
    for (int hops = 0; !target.empty(); ++hops) {
      ASSERT_LT(hops, 4) << "more pages than 45 orders of 20 a page make: " << target;
      page = customer.get(target);
      ASSERT_EQ(page.status, 200) << target << ": " << page.raw;
      EXPECT_EQ(page_field(page, "number"), hops);
      EXPECT_EQ(page_field(page, "totalElements"), kOrders);
      auto ids = ids_of(page, name);
      sizes.push_back(ids.size());
      seen.insert(ids.begin(), ids.end());
      if (hops > 0) EXPECT_EQ(link(page, "prev"), path + "?page=" + std::to_string(hops - 1) + "&size=20");
      target = link(page, "next");
    }
    EXPECT_EQ(sizes, (std::vector<std::size_t>{20, 20, 5}));
    EXPECT_EQ(std::set<std::int64_t>(seen.begin(), seen.end()), placed);
    EXPECT_EQ(seen.size(), placed.size()) << "an order was on two pages";

    // The last page, by the first page's `last` link, is where the walk ended; `prev` goes back.
    auto last = customer.get(link(first, "last"));
    ASSERT_EQ(last.status, 200) << last.raw;
    EXPECT_EQ(ids_of(last, name), ids_of(page, name));
    EXPECT_EQ(link(last, "next"), "");
    auto middle = customer.get(link(last, "prev"));
    ASSERT_EQ(middle.status, 200) << middle.raw;
    EXPECT_EQ(page_field(middle, "number"), 1);
    EXPECT_EQ(ids_of(middle, name).size(), 20u);

    // Past the end: an empty page with the true totals, as Spring answers.
    auto beyond = customer.get(path + "?page=9&size=20");
    ASSERT_EQ(beyond.status, 200) << beyond.raw;
    EXPECT_TRUE(ids_of(beyond, name).empty());
    EXPECT_EQ(page_field(beyond, "totalElements"), kOrders);
    EXPECT_EQ(page_field(beyond, "totalPages"), 3);
    EXPECT_EQ(link(beyond, "next"), "");

    // Sorted, and the sort kept in every link: oldest first, the order ids rising.
    auto sorted = customer.get(path + "?sort=orderId,asc&size=20&page=1");
    ASSERT_EQ(sorted.status, 200) << sorted.raw;
    std::vector<std::int64_t> expected(std::next(placed.begin(), 20), std::next(placed.begin(), 40));
    EXPECT_EQ(ids_of(sorted, name), expected);
    EXPECT_EQ(link(sorted, "next"), path + "?page=2&size=20&sort=orderId,asc");

    // Without parameters: today's one page of up to 100, all 45.
    auto plain = customer.get(path);
    ASSERT_EQ(plain.status, 200) << plain.raw;
    EXPECT_EQ(ids_of(plain, name).size(), static_cast<std::size_t>(kOrders));
    EXPECT_EQ(page_field(plain, "size"), 100);
    EXPECT_EQ(page_field(plain, "totalPages"), 1);
    EXPECT_EQ(link(plain, "next"), "");
  }

  void expect_refused(const std::string& target, const std::string& parameter) {
    auto reply = customer.get(target);
    EXPECT_EQ(reply.status, 400) << target << ": " << reply.raw;
    EXPECT_EQ(reply.content_type, "application/problem+json") << target;
    EXPECT_EQ(reply.detail().rfind("query parameter " + parameter + " ", 0), 0u) << target << ": " << reply.raw;
  }

  void expect_refusals(const std::string& path) {
    expect_refused(path + "?size=501", "size");
    expect_refused(path + "?size=0", "size");
    expect_refused(path + "?page=-1", "page");
    expect_refused(path + "?page=1x&size=20", "page");
    expect_refused(path + "?sort=customer", "sort");
  }
};

TEST_F(Paging, ACustomerWalksEveryOrderOnceByNextLinksWithTrueTotals) {
  place_orders();
  walk("/orders", "orders");
  expect_refusals("/orders");
}

TEST_F(Paging, TheStatusViewPagesTheSameWay) {
  place_orders();
  // The view follows the events: wait, bounded, until it has every order.
  ASSERT_TRUE(eventually(
      [&] {
        auto reply = customer.get("/orderStatuses?size=1");
        return reply.status == 200 && page_field(reply, "totalElements") == kOrders;
      },
      std::chrono::seconds(60)))
      << customer.get("/orderStatuses?size=1").raw;
  walk("/orderStatuses", "orderStatuses");
  expect_refusals("/orderStatuses");
}

TEST_F(Paging, EveryOtherCollectionTakesTheSamePolicy) {
  // The store catalog, sorted by name, walked two at a time, a filter kept in the links.
  auto stores = customer.get("/stores?size=2&sort=name,desc");
  ASSERT_EQ(stores.status, 200) << stores.raw;
  auto total = page_field(stores, "totalElements");
  ASSERT_GT(total, 2);
  EXPECT_EQ(link(stores, "next"), "/stores?page=1&size=2&sort=name,desc");
  std::vector<std::string> names;
  for (std::string target = "/stores?size=2&sort=name,desc"; !target.empty();) {
    auto page = customer.get(target);
    ASSERT_EQ(page.status, 200) << page.raw;
    for (const auto& store : page.body.at("_embedded").at("stores").as_array())
      names.emplace_back(store.at("name").as_string());
    target = link(page, "next");
  }
  EXPECT_EQ(static_cast<std::int64_t>(names.size()), total);
  EXPECT_TRUE(std::is_sorted(names.rbegin(), names.rend())) << "not by name, descending";

  auto reviews = customer.get("/reviews?storeId=1&size=5");
  ASSERT_EQ(reviews.status, 200) << reviews.raw;
  EXPECT_EQ(link(reviews, "self"), "/reviews?storeId=1&page=0&size=5");
  EXPECT_EQ(page_field(reviews, "totalElements"), 0);

  for (const char* path : {"/notifications", "/stores"}) expect_refusals(path);
  expect_refused("/reviews?storeId=1&size=501", "size");
  auto cookings = owner.get("/foodCookings?size=501");
  EXPECT_EQ(cookings.status, 400) << cookings.raw;
  EXPECT_EQ(owner.get("/foodCookings?size=3").body.at("page").at("size").as_int64(), 3);
  Api rider(platform.gateway_port());
  rider.login("rider1");
  auto deliveries = rider.get("/deliveries?sort=orderId");
  EXPECT_EQ(deliveries.status, 400) << deliveries.raw;
  EXPECT_EQ(deliveries.detail(),
            "query parameter sort is not accepted here: this collection has one fixed order; got 'orderId'");
}

}  // namespace
