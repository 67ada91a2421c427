#include "platform/paging.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

#include "platform/problem.hpp"

namespace platform::paging {

namespace {

// Decimal digits only, without sign, spaces or leading zeros: one page has one name.
std::optional<std::int64_t> whole_number(std::string_view text) {
  if (text.empty() || text.front() < '0' || text.front() > '9' || (text.size() > 1 && text.front() == '0'))
    return std::nullopt;
  std::int64_t number = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return number;
}

const std::string* find(const std::map<std::string, std::string>& query, const std::string& name) {
  auto it = query.find(name);
  return it == query.end() ? nullptr : &it->second;
}

std::optional<Sort> parse_sort(const std::string& text, std::span<const SortField> sortable) {
  if (sortable.empty())
    throw bad_request("query parameter sort is not accepted here: this collection has one fixed order; got '" + text +
                      "'");
  std::string_view field = text, direction = "asc";
  if (auto comma = text.find(','); comma != std::string::npos) {
    field = std::string_view(text).substr(0, comma);
    direction = std::string_view(text).substr(comma + 1);
  }
  std::string names;
  for (const auto& allowed : sortable) {
    if (allowed.name == field && (direction == "asc" || direction == "desc"))
      return Sort{std::string(allowed.name), std::string(allowed.column), direction == "desc"};
    names += (names.empty() ? "" : ", ") + std::string(allowed.name);
  }
  throw bad_request("query parameter sort must be a field of " + names + ", optionally followed by ,asc or ,desc; got '" +
                    text + "'");
}

// The query's text for a link: what a URL may carry as it is stays so (',' too, for
// "sort=orderId,desc"), the rest is percent-encoded.
std::string encoded(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    if ((byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == ',') {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    }
  }
  return out;
}

}  // namespace

PageRequest parse(const std::map<std::string, std::string>& query, std::span<const SortField> sortable) {
  PageRequest page;
  if (const auto* size = find(query, "size")) {
    auto number = whole_number(*size);
    if (!number || *number < 1 || *number > kMaxSize)
      throw bad_request("query parameter size must be a whole number from 1 to " + std::to_string(kMaxSize) +
                        " (items a page); got '" + *size + "'");
    page.size = *number;
  }
  if (const auto* number = find(query, "page")) {
    auto parsed = whole_number(*number);
    if (!parsed)
      throw bad_request("query parameter page must be a whole number from 0 (the first page) in decimal digits, "
                        "without sign, spaces or leading zeros; got '" + *number + "'");
    if (*parsed > std::numeric_limits<std::int64_t>::max() / page.size)
      throw bad_request("query parameter page is too large for pages of " + std::to_string(page.size) + "; got '" +
                        *number + "'");
    page.number = *parsed;
  }
  if (const auto* sort = find(query, "sort")) page.sort = parse_sort(*sort, sortable);
  return page;
}

std::string order_and_limit(const PageRequest& page, std::string_view own_order, std::string_view key) {
  std::string order = "ORDER BY ";
  if (page.sort) {
    auto direction = page.sort->descending ? " DESC" : " ASC";
    order += page.sort->column + direction;
    if (page.sort->column != key) order += ", " + std::string(key) + direction;
  } else {
    order += std::string(own_order);
  }
  return order + " LIMIT ? OFFSET ?";
}

std::vector<Value> limit_args(const PageRequest& page) { return {page.size, page.offset()}; }

std::int64_t total_pages(std::int64_t total_elements, std::int64_t size) {
  return total_elements / size + (total_elements % size ? 1 : 0);
}

std::vector<std::pair<std::string, std::string>> links(std::string_view path,
                                                       const std::map<std::string, std::string>& query,
                                                       const PageRequest& page, std::int64_t total_elements) {
  std::string others;
  for (const auto& [name, value] : query)
    if (name != "page" && name != "size" && name != "sort") others += encoded(name) + "=" + encoded(value) + "&";
  auto sort = page.sort ? "&sort=" + page.sort->field + (page.sort->descending ? ",desc" : ",asc") : std::string();
  auto href = [&](std::int64_t number) {
    return std::string(path) + "?" + others + "page=" + std::to_string(number) + "&size=" + std::to_string(page.size) +
           sort;
  };
  auto last = std::max<std::int64_t>(total_pages(total_elements, page.size) - 1, 0);
  std::vector<std::pair<std::string, std::string>> out{{"self", href(page.number)}, {"first", href(0)}};
  if (page.number > 0) out.emplace_back("prev", href(page.number - 1));
  if (page.number < last) out.emplace_back("next", href(page.number + 1));
  out.emplace_back("last", href(last));
  return out;
}

}  // namespace platform::paging
