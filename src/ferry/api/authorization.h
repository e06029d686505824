#pragma once

#include "ferry/api/services.h"
#include "ferry/http/server/router.h"

namespace ferry::api {

// Checks an `Authorization` header value against the secret key: ok() for
// "Bearer <secret_key>", else Errc::unauthorized saying what was wrong. The comparison takes
// the same time wherever the keys differ.
Status check_secret_key(std::string_view authorization, const std::string& secret_key);

// A backend handler that runs only for `Authorization: Bearer <secret_key>`. The key is
// checked on the header, before the body is read: a missing or wrong key gets 401
// {"error":{"code":"unauthorized",...}}, the body stays unread and the handler is not called.
http::GuardedHandler require_secret_key(std::shared_ptr<const Services> services,
                                        http::Handler handler);

// The same for a streaming route. The body of a rejected request is left unread, so the
// connection is closed after the 401.
http::StreamHandler require_secret_key(std::shared_ptr<const Services> services,
                                       http::StreamHandler handler);

}  // namespace ferry::api
