#pragma once
// Spring Data REST's HAL shapes, which the seeds' clients read.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace platform::hal {

// {"self": {"href": ...}, "<rel>": {"href": ...}, ...}
boost::json::object links(const std::vector<std::pair<std::string, std::string>>& rel_href);

// {"_embedded": {"<name>": items}, "_links": {"self": ...}, "page": {...}} with one page of all items.
boost::json::object collection(std::string_view name, boost::json::array items, std::string_view self_href);

}  // namespace platform::hal
