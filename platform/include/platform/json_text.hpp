#pragma once
// JSON text as people and the seeds write it, and as clients may send it. Boost.JSON 1.81
// prints doubles in scientific form (37.4979 as 3.74979E1): valid, but not what a client
// expects to read; and it keeps the last of two equal keys in an object without a word.
#include <boost/json/fwd.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace platform {

// Serializes like boost::json::serialize, with doubles in their shortest plain form and
// strings always well-formed UTF-8 (invalid bytes become U+FFFD).
std::string to_json(const boost::json::value& value);

// Parses text from outside (a request body, a token's parts) as boost::json::parse does —
// UTF-8 checked, unpaired surrogate escapes refused — and also refuses an object with a key
// twice: {"qty":-5,"qty":1} must not mean whichever one a reader happens to keep. On failure
// the value is null and `why_not` completes a sentence about the text ("is not valid JSON:
// ...", "has the key 'qty' twice in one object"); it is empty on success.
boost::json::value parse_json(std::string_view text, std::string& why_not, std::size_t max_depth = 32);

}  // namespace platform
