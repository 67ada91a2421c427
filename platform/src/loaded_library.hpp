#pragma once
// A shared library the platform is built against but not linked to, opened when one of its
// functions is first called instead of at every start of every service. Each loader
// (libpq_loader.cpp, rdkafka_loader.cpp) defines, with C linkage, the functions the platform
// calls, each finding the library's own the first time it runs.
#include <dlfcn.h>

#include <mutex>
#include <stdexcept>
#include <string>

namespace platform {

class LoadedLibrary {
 public:
  // soname: the file dlopen looks for; needed_by: who needs it and which Debian package has
  // it, how the error begins when it cannot be opened.
  constexpr LoadedLibrary(const char* soname, const char* needed_by) : soname_(soname), needed_by_(needed_by) {}

  // The library's function `name`. Throws, saying why, when the library cannot be opened (it
  // is tried again at the next call: the package may be installed since) or lacks it.
  template <typename Function>
  Function function(const char* name) {
    void* found = dlsym(handle(), name);
    if (!found) throw std::runtime_error(std::string(soname_) + " has no function " + name);
    return reinterpret_cast<Function>(found);
  }

 private:
  void* handle() {
    std::lock_guard lock(mutex_);
    if (handle_) return handle_;
    handle_ = dlopen(soname_, RTLD_NOW | RTLD_LOCAL);
    if (!handle_) {
      const char* why = dlerror();
      throw std::runtime_error(std::string(needed_by_) + ", which cannot be loaded: " + (why ? why : "unknown error"));
    }
    return handle_;
  }

  const char* soname_;
  const char* needed_by_;
  std::mutex mutex_;
  void* handle_ = nullptr;
};

}  // namespace platform

// Defines `result name parameters` as a call of the loaded library's own `name` with
// `arguments`; the library's function is looked up once.
#define FD_LOADED_FUNCTION(library, result, name, parameters, arguments) \
  result name parameters {                                                \
    static const auto real = (library).function<decltype(&name)>(#name); \
    return real arguments;                                                \
  }
