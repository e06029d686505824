#include "in_process_server.h"

#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include "ferry/app/service_graph.h"
#include "ferry/config/loader.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/io_workers.h"
#include "ferry/http/server/server.h"
#include "ferry/observe/log.h"
#include "ferry/store/open_store.h"
#include "fuzz_check.h"

namespace ferry::fuzz {
namespace {

namespace fs = std::filesystem;
namespace net = boost::asio;

const char* const kFerryYaml = R"(listen_address: 127.0.0.1
server_port: 0
server_root_url: http://127.0.0.1:3003
secret_key: fuzz-secret-key
public_key: fuzz-public-key
database_url: sqlite://ferry.db
log_file: ferry.log
main_server_log_level: debug
max_request_body_bytes: 65536
)";

const char* const kIntegrationsYaml = R"(integrations:
  jira:
    extends_blueprint: jira:v0
    oauth_client_id: fuzz-client-id
    oauth_client_secret: fuzz-client-secret
    http_request_timeout_seconds: 2
    requests:
      base_url: http://127.0.0.1:9/
    retry:
      max_attempts: 1
  keyed:
    http_request_timeout_seconds: 2
    auth:
      auth_mode: API_KEY
    requests:
      base_url: http://127.0.0.1:9/api/
      headers:
        x-api-key: ${api_key}
)";

const char* const kEchoAction = "return function(nango, input) return input end\n";

void write_file(const fs::path& path, const char* text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

fs::path make_folder() {
  std::string name = (fs::temp_directory_path() / "ferry-fuzz-server-XXXXXX").string();
  FERRY_FUZZ_CHECK(::mkdtemp(name.data()) != nullptr, "cannot create a temporary folder");
  const fs::path dir(name);
  write_file(dir / "ferry.yaml", kFerryYaml);
  write_file(dir / "integrations.yaml", kIntegrationsYaml);
  write_file(dir / "jira" / "echo.action.lua", kEchoAction);
  static fs::path removed_at_exit = dir;
  std::atexit([] {
    std::error_code ignored;
    fs::remove_all(removed_at_exit, ignored);
  });
  return dir;
}

// Everything the server needs, alive until the process exits (never destroyed: the I/O
// thread may still be running when exit() runs the static destructors).
struct Running {
  net::io_context io{1};
  std::shared_ptr<http::Server> server;
};

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "in-process server: %s\n", what.c_str());
  std::abort();
}

Running* start() {
  const fs::path dir = make_folder();
  auto loaded = config::load_project(dir, config::Environment::from_map({}));
  if (!loaded) fail(loaded.error().message);
  auto project = std::make_shared<const config::Project>(std::move(*loaded));
  observe::LogOptions log_options{observe::Level::debug, project->server.log_file, false};
  if (auto logging = observe::init_logging(log_options); !logging) fail(logging.error().message);
  auto opened = store::open_store(project->server.database_url, project->server.encryption_key);
  if (!opened) fail(opened.error().message);

  auto* running = new Running();
  const IoWorkers workers(std::vector<net::any_io_executor>{running->io.get_executor()});
  auto graph = app::build_service_graph({.project = project,
                                         .database = std::move(opened).value(),
                                         .workers = workers,
                                         .blocking = std::make_shared<BlockingPool>(2),
                                         .outbound_proxy = {},
                                         .action_registry = nullptr});
  if (!graph) fail(graph.error().message);

  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.max_body_bytes = project->server.max_request_body_bytes;
  // Inputs end with a half-close, so sessions end promptly; these only bound a stuck one.
  options.idle_timeout = std::chrono::seconds(5);
  options.io_timeout = std::chrono::seconds(5);
  auto server = http::Server::listen(workers, options, graph->router);
  if (!server) fail(server.error().message);
  running->server = *server;

  std::thread([running] {
    auto guard = net::make_work_guard(running->io);
    running->io.run();
  }).detach();
  return running;
}

}  // namespace

unsigned short in_process_server_port() {
  static Running* const running = start();
  return running->server->port();
}

}  // namespace ferry::fuzz
