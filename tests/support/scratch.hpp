#pragma once
// What a test's own server needs from the machine: a free port, a folder of its own, and the
// end of its log for a failure message; a file read whole.
#include <cstddef>
#include <string>

namespace fd::test {

// A port on 127.0.0.1 nobody listens on now (another may take it before the server binds).
int free_port();

// A new empty folder $TMPDIR/<prefix>XXXXXX (TMPDIR defaults to /tmp).
std::string make_temp_dir(const std::string& prefix);

// A stand-in for the built web app (web/dist) for FD_WEB_DIR, in a new folder like
// make_temp_dir's: index.html loading the module ./assets/index-abc.js, whose text is `script`.
std::string make_stand_in_web_app(const std::string& prefix, const std::string& script);

// The last `max` characters of a text file ("" when there is none).
std::string tail_of(const std::string& path, std::size_t max = 2000);

// A file's whole content ("" when there is none).
std::string read_file(const std::string& path);

}  // namespace fd::test
