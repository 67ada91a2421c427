#pragma once
// One paging policy for every collection, as Spring Data REST pages (which the seeds'
// clients know): `page` counts from 0, `size` items a page, `sort=field,asc|desc` from the
// collection's own list of fields. Pages are cut in SQL (LIMIT/OFFSET after a stable order)
// and counted with the same filter, so totals are true; a page past the end is empty, with
// the true totals, not an error.
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/table.hpp"

namespace platform::paging {

// Today's lists answered 100 items and the web app shows them without a pager; the
// owner's kitchen list answered up to 500.
inline constexpr std::int64_t kDefaultSize = 100;
inline constexpr std::int64_t kMaxSize = 500;

// A field a collection may be sorted by: its name in the API, and its column.
struct SortField {
  std::string_view name;
  std::string_view column;
};

struct Sort {
  std::string field;
  std::string column;  // from the collection's SortField, never from the caller's text
  bool descending = false;
};

struct PageRequest {
  std::int64_t number = 0;
  std::int64_t size = kDefaultSize;
  std::optional<Sort> sort;  // none: the collection's own order

  std::int64_t offset() const { return number * size; }
};

// The caller's page, size and sort from a request's query; any other parameter is the
// collection's (a filter). Problem 400 naming the parameter when one is wrong. `sortable`
// empty: the collection has one fixed order and a sort is refused.
PageRequest parse(const std::map<std::string, std::string>& query, std::span<const SortField> sortable);

// The SQL after the filter: "ORDER BY <caller's column> <dir>, <key> <dir> LIMIT ? OFFSET ?"
// (the key after the caller's column keeps rows of equal values in one order across pages),
// or `own_order` then "LIMIT ? OFFSET ?" without a caller's sort. Bind limit_args() after
// the filter's arguments.
std::string order_and_limit(const PageRequest& page, std::string_view own_order, std::string_view key);
std::vector<Value> limit_args(const PageRequest& page);

std::int64_t total_pages(std::int64_t total_elements, std::int64_t size);

// self, first, prev (not on the first page), next (not on the last), last: `path` with
// the caller's other query parameters, the page's number and size, and its sort.
std::vector<std::pair<std::string, std::string>> links(std::string_view path,
                                                       const std::map<std::string, std::string>& query,
                                                       const PageRequest& page, std::int64_t total_elements);

template <class T>
struct Slice {
  std::vector<T> items;
  std::int64_t total_elements = 0;
};

// One page of the table's rows that `where` keeps ("WHERE customer = ?", or "" for all),
// and how many rows it keeps.
template <class T>
Slice<T> select_page(Db& db, const Table<T>& table, std::string_view where, std::vector<Value> args,
                     const PageRequest& page, std::string_view own_order) {
  Slice<T> slice;
  auto counted = db.query_one("SELECT COUNT(*) AS total FROM " + table.name() + " " + std::string(where), args);
  slice.total_elements = counted ? counted->integer("total") : 0;
  if (page.offset() >= slice.total_elements) return slice;
  for (auto& value : limit_args(page)) args.push_back(std::move(value));
  slice.items = table.select(db, std::string(where) + " " + order_and_limit(page, own_order, table.key()), args);
  return slice;
}

}  // namespace platform::paging
