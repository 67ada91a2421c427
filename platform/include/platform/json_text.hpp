#pragma once
// JSON text as people and the seeds write it. Boost.JSON 1.81 prints doubles in
// scientific form (37.4979 as 3.74979E1): valid, but not what a client expects to read.
#include <boost/json/fwd.hpp>
#include <string>

namespace platform {

// Serializes like boost::json::serialize, with doubles in their shortest plain form and
// strings always well-formed UTF-8 (invalid bytes become U+FFFD).
std::string to_json(const boost::json::value& value);

}  // namespace platform
