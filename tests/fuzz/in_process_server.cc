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

#include "ferry/actions/action_registry.h"
#include "ferry/actions/action_runner.h"
#include "ferry/actions/proxy_action_http.h"
#include "ferry/api/routes.h"
#include "ferry/api/services.h"
#include "ferry/api/websocket.h"
#include "ferry/auth/oauth2/refresher.h"
#include "ferry/config/loader.h"
#include "ferry/core/blocking_pool.h"
#include "ferry/core/egress_policy.h"
#include "ferry/core/io_workers.h"
#include "ferry/http/client/upstream_engine.h"
#include "ferry/http/server/server.h"
#include "ferry/observe/log.h"
#include "ferry/proxy/proxy_dependencies.h"
#include "ferry/store/activity_writer.h"
#include "ferry/store/connection_cache.h"
#include "ferry/store/open_store.h"
#include "ferry/store/write_through_store.h"
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
  auto blocking = std::make_shared<BlockingPool>(2);
  http::EngineOptions engine_options;
  auto egress = EgressPolicy::make(project->server.egress_allow);
  if (!egress) fail(egress.error().message);
  engine_options.connector.egress = std::move(*egress);
  auto engine = http::UpstreamEngine::create(std::move(engine_options), workers);
  if (!engine) fail(engine.error().message);

  std::shared_ptr<store::Store> database = std::move(opened).value();
  auto cache = std::make_shared<store::ConnectionCache>(database, workers, *blocking);
  auto services = std::make_shared<api::Services>();
  services->project = project;
  services->store = std::make_shared<store::WriteThroughStore>(database, cache);
  services->blocking = blocking;
  services->activity = std::make_shared<store::ActivityWriter>(services->store);
  services->exchange = *engine;
  services->websockets =
      std::make_shared<api::WebsocketHub>(project->server.max_websockets_per_client);

  auth::oauth2::RefresherDependencies refresher;
  refresher.project = project;
  refresher.store = services->store;
  refresher.cache = cache;
  refresher.exchange = *engine;
  refresher.blocking = blocking;
  refresher.activity = services->activity;
  services->credentials = std::make_shared<auth::oauth2::Refresher>(std::move(refresher));

  auto proxy = std::make_shared<proxy::ProxyDependencies>();
  proxy->project = proxy::PreparedProject::build(project);
  proxy->exchange = *engine;
  proxy->credentials = services->credentials;
  proxy->activity = services->activity;
  proxy->quota_pauses = std::make_shared<proxy::QuotaBoard>(workers);
  services->proxy = proxy;

  auto registry = std::make_shared<actions::ActionRegistry>(project->dir);
  (void)registry->reload();
  actions::RunnerDependencies action_deps;
  action_deps.project = project;
  action_deps.store = services->store;
  action_deps.blocking = blocking;
  action_deps.connections = cache;
  action_deps.registry = registry;
  action_deps.http = std::make_shared<actions::ProxyActionHttp>(proxy);
  action_deps.activity = services->activity;
  action_deps.lua_threads = std::make_shared<BlockingPool>(project->server.action_threads);
  actions::RunnerOptions action_options;
  action_options.limits.cpu_time = project->server.action_cpu_time;
  action_options.limits.memory_bytes = project->server.action_memory_bytes;
  services->actions =
      std::make_shared<actions::ActionRunner>(std::move(action_deps), action_options);

  auto router = std::make_shared<http::Router>();
  api::register_routes(*router, services);
  http::ServerOptions options;
  options.address = "127.0.0.1";
  options.port = 0;
  options.max_body_bytes = project->server.max_request_body_bytes;
  // Inputs end with a half-close, so sessions end promptly; these only bound a stuck one.
  options.idle_timeout = std::chrono::seconds(5);
  options.io_timeout = std::chrono::seconds(5);
  auto server = http::Server::listen(workers, options, router);
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
