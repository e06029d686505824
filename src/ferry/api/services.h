#pragma once

#include <memory>

#include "ferry/config/model.h"

namespace ferry::store {
class Store;
class ActivityWriter;
}  // namespace ferry::store
namespace ferry::proxy {
struct ProxyDependencies;
}

namespace ferry::api {

// What the REST handlers work with. Built once by the app at start; the pointers stay valid
// for the server's lifetime. Thread-safe: the project is immutable, the store and the
// activity writer are callable from any thread.
struct Services {
  std::shared_ptr<const config::Project> project;
  std::shared_ptr<store::Store> store;  // the cached store: the hot path reads credentials here
  std::shared_ptr<store::ActivityWriter> activity;
  std::shared_ptr<const proxy::ProxyDependencies> proxy;
};

}  // namespace ferry::api
