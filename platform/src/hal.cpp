#include "platform/hal.hpp"

namespace platform::hal {

boost::json::object links(const std::vector<std::pair<std::string, std::string>>& rel_href) {
  boost::json::object out;
  for (const auto& [rel, href] : rel_href) out[rel] = boost::json::object{{"href", href}};
  return out;
}

boost::json::object collection(std::string_view name, boost::json::array items, std::string_view self_href) {
  auto count = static_cast<std::int64_t>(items.size());
  boost::json::object embedded;
  embedded[name] = std::move(items);
  return {{"_embedded", std::move(embedded)},
          {"_links", links({{"self", std::string(self_href)}})},
          {"page", {{"size", count}, {"totalElements", count}, {"totalPages", count ? 1 : 0}, {"number", 0}}}};
}

}  // namespace platform::hal
