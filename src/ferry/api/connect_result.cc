#include "ferry/api/connect_result.h"

#include <fmt/format.h>

#include "ferry/core/url_encoding.h"
#include "ferry/http/json.h"

namespace ferry::api {
namespace {

using nlohmann::json;

}  // namespace

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

// JSON that is safe inside a <script> element: no '<', '>' or '&' can end the element or
// open a comment, and non-ASCII is escaped (U+2028 is a line break in older scripts).
std::string script_json(const json& value) {
  const std::string dumped = value.dump(-1, ' ', true, json::error_handler_t::replace);
  std::string out;
  out.reserve(dumped.size());
  for (char c : dumped) {
    switch (c) {
      case '<': out += "\\u003c"; break;
      case '>': out += "\\u003e"; break;
      case '&': out += "\\u0026"; break;
      default: out += c;
    }
  }
  return out;
}

// Replaces the first `marker` (values are inserted once, so they are never re-scanned).
void replace_once(std::string& text, std::string_view marker, const std::string& value) {
  auto at = text.find(marker);
  if (at != std::string::npos) text.replace(at, marker.size(), value);
}

// The page: tells the opener, then closes itself on success. window.close() only works for
// windows a script opened, which is the popup case; a page opened as a link stays open.
constexpr std::string_view kPage = R"html(<!DOCTYPE html>
<html>
  <head>
    <meta charset="utf-8">
    <title>@TITLE@</title>
  </head>
  <body style="font-family: sans-serif; display: flex; min-height: 90vh; align-items: center; justify-content: center;">
    <div style="text-align: center">
      <p id="result" style="@STYLE@">@TEXT@</p>
      <p>You can close this window.</p>
    </div>
    <script>
      (function () {
        var message = @MESSAGE@;
        try {
          if (window.opener) window.opener.postMessage(message, @TARGET_ORIGIN@);
        } catch (e) {}
        if (message.eventType === 'AUTHORIZATION_SUCEEDED') {
          window.setTimeout(function () { window.close(); }, 300);
        }
      })();
    </script>
  </body>
</html>
)html";

http::Response page(http::StatusCode status, const std::string& title, const std::string& text,
                    bool failed, const json& message, const std::string& target_origin,
                    unsigned version) {
  http::Response response{status, version};
  response.set(http::bhttp::field::content_type, "text/html; charset=utf-8");
  response.set(http::bhttp::field::cache_control, "no-store");
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'");
  response.set("X-Content-Type-Options", "nosniff");
  std::string body(kPage);
  // Last marker first: an inserted value (which may hold marker text) lies after every
  // marker still to be replaced, so it is never scanned.
  // The page's result goes to that origin only: a browser drops the message when the
  // opener has navigated elsewhere, instead of handing it to whoever is there now.
  replace_once(body, "@TARGET_ORIGIN@", script_json(target_origin));
  replace_once(body, "@MESSAGE@", script_json(message));
  replace_once(body, "@TEXT@", escape_html(text));
  replace_once(body, "@STYLE@", failed ? "color: #b3261e" : "");
  replace_once(body, "@TITLE@", escape_html(title));
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

}  // namespace

ConnectFailure failure_from(const Error& error, std::string type) {
  return ConnectFailure{http::http_status(error.code), std::move(type), error.message};
}

json ws_success(const FlowIdentity& flow) {
  // is_pending: Nango's flag for a connection still awaiting a provider's verification;
  // a flow Ferry reports is complete.
  return {{"message_type", "success"},
          {"provider_config_key", flow.provider_config_key},
          {"connection_id", flow.connection_id},
          {"is_pending", false}};
}

json ws_error(const ConnectFailure& failure) {
  std::string_view desc = failure.message;
  if (desc.size() > kMaxWebsocketErrorBytes) {
    std::size_t cut = kMaxWebsocketErrorBytes;
    // Not inside a UTF-8 sequence: back off over continuation bytes (10xxxxxx).
    while (cut > 0 && (static_cast<unsigned char>(desc[cut]) & 0xC0) == 0x80) --cut;
    desc = desc.substr(0, cut);
  }
  return {{"message_type", "error"}, {"error_type", failure.type}, {"error_desc", desc}};
}

http::Response success_page(const FlowIdentity& flow, const std::string& target_origin,
                            unsigned version) {
  const json message = {
      {"eventType", "AUTHORIZATION_SUCEEDED"},
      {"data",
       {{"providerConfigKey", flow.provider_config_key}, {"connectionId", flow.connection_id}}}};
  return page(http::StatusCode::ok, "Connected",
              fmt::format("You are now connected to {}.", flow.provider_config_key), false,
              message, target_origin, version);
}

http::Response failure_page(const FlowIdentity& flow, const ConnectFailure& failure,
                            const std::string& target_origin, unsigned version) {
  const json message = {{"eventType", "AUTHORIZATION_FAILED"},
                        {"data",
                         {{"providerConfigKey", flow.provider_config_key},
                          {"connectionId", flow.connection_id},
                          {"error", {{"type", failure.type}, {"message", failure.message}}}}}};
  return page(failure.status, "Authorization failed",
              "The connection could not be made: " + failure.message, true, message,
              target_origin, version);
}

http::Response failure_json(const ConnectFailure& failure, unsigned version) {
  return http::json_response(failure.status,
                             {{"error", {{"code", failure.type}, {"message", failure.message}}}},
                             version);
}

http::Response connect_chooser(const std::vector<std::string>& integrations,
                               const std::string& token, const std::string& origin,
                               unsigned version) {
  auto link = [&](const std::string& key) {
    std::string target = "/oauth/connect/" + percent_encode(key) +
                         "?connect_session_token=" + percent_encode(token);
    // Passed on explicitly: a click in this list would otherwise name Ferry's own page.
    if (!origin.empty()) target += "&origin=" + percent_encode(origin);
    return target;
  };
  if (integrations.size() == 1) {
    http::Response redirect{http::StatusCode::found, version};
    redirect.set(http::bhttp::field::location, link(integrations.front()));
    redirect.set(http::bhttp::field::cache_control, "no-store");
    redirect.prepare_payload();
    return redirect;
  }
  std::string items;
  for (const std::string& key : integrations) {
    items += "<li><a href=\"" + escape_html(link(key)) + "\">" + escape_html(key) + "</a></li>";
  }
  http::Response response{http::StatusCode::ok, version};
  response.set(http::bhttp::field::content_type, "text/html; charset=utf-8");
  response.set(http::bhttp::field::cache_control, "no-store");
  response.set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
  response.body() =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Connect</title></head>"
      "<body style=\"font-family: sans-serif\"><p>Choose what to connect:</p><ul>" +
      items + "</ul></body></html>\n";
  response.prepare_payload();
  return response;
}

}  // namespace ferry::api
