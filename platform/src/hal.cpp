#include "platform/hal.hpp"

namespace platform::hal {

boost::json::object links(const std::vector<std::pair<std::string, std::string>>& rel_href) {
  boost::json::object out;
  for (const auto& [rel, href] : rel_href) out[rel] = boost::json::object{{"href", href}};
  return out;
}

boost::json::object collection(std::string_view name, boost::json::array items, const Request& request,
                               const paging::PageRequest& page, std::int64_t total_elements) {
  boost::json::object embedded;
  embedded[name] = std::move(items);
  return {{"_embedded", std::move(embedded)},
          {"_links", links(paging::links(request.path, request.query, page, total_elements))},
          {"page",
           {{"size", page.size},
            {"totalElements", total_elements},
            {"totalPages", paging::total_pages(total_elements, page.size)},
            {"number", page.number}}}};
}

}  // namespace platform::hal
