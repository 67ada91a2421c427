#pragma once
// Spring Data REST's HAL shapes, which the seeds' clients read.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "platform/http.hpp"
#include "platform/paging.hpp"

namespace platform::hal {

// {"self": {"href": ...}, "<rel>": {"href": ...}, ...}
boost::json::object links(const std::vector<std::pair<std::string, std::string>>& rel_href);

// One page of a collection: {"_embedded": {"<name>": items}, "_links": {self, first, prev,
// next, last (paging::links)}, "page": {size, totalElements, totalPages, number}}.
boost::json::object collection(std::string_view name, boost::json::array items, const Request& request,
                               const paging::PageRequest& page, std::int64_t total_elements);

}  // namespace platform::hal
