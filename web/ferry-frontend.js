/*
 * Ferry frontend SDK: connects a user's account to an integration from the browser.
 * Served by every Ferry server at /sdk/ferry-frontend.js.
 *
 *   <script src="https://ferry.example.com/sdk/ferry-frontend.js"></script>
 *   const ferry = new Ferry({ host: 'https://ferry.example.com', publicKey: '...' });
 *   button.onclick = () => ferry.auth('jira', 'user-1', { params: { subdomain: 'acme' } })
 *       .then(({ integration, connectionId }) => ...)
 *       .catch(({ type, message }) => ...);
 *
 *   // Or with a token the backend got from POST /connect/sessions (one token, one flow):
 *   new Ferry({ host, connectSessionToken }).auth('jira')   // no connection id: the backend
 *       .then(({ connectionId }) => ...);                   // fixed it, or Ferry makes one
 *
 * A public-key flow creates a connection but never replaces an existing one
 * (connection_already_exists); re-authorising one takes a token from
 * POST /connect/sessions/reconnect.
 *
 * auth() must be called from a user action (a click): it opens the authorization popup at
 * once, which browsers allow only then. It speaks @nangohq/frontend's protocol: a websocket
 * on the host answers {message_type: 'connection_ack', ws_client_id}, the popup runs
 * /oauth/connect/<integration>?...&ws_client_id=..., and the result arrives both as a
 * websocket message ('success' / 'error') and as a postMessage from the callback page
 * ({eventType: 'AUTHORIZATION_SUCEEDED' | 'AUTHORIZATION_FAILED'}). Whichever comes first
 * settles the promise.
 *
 * Rejections are {type, message} objects (instances of Ferry.AuthError):
 *   blocked_by_browser     the popup was blocked
 *   window_is_opened       another auth() of this instance is still running
 *   window_closed          the user closed the popup before the end
 *   invalid_host_url, missing_auth_token, invalid_integration   bad arguments
 *   any error_type of the server (state_err, callback_err, token_err, invalid_public_key...)
 */
(function (root) {
  'use strict';

  var SCRIPT_ORIGIN = (function () {
    try {
      var script = typeof document !== 'undefined' && document.currentScript;
      return script && script.src ? new URL(script.src).origin : '';
    } catch (e) {
      return '';
    }
  })();

  // How long a closed popup may still have a result in flight before auth() gives up.
  var CLOSED_GRACE_MS = 1500;
  var CLOSED_POLL_MS = 300;

  function AuthError(type, message) {
    var error = new Error(message);
    error.name = 'FerryAuthError';
    error.type = type;
    Object.setPrototypeOf(error, AuthError.prototype);
    return error;
  }
  AuthError.prototype = Object.create(Error.prototype);
  AuthError.prototype.constructor = AuthError;

  function Ferry(options) {
    options = options || {};
    var host = options.host || SCRIPT_ORIGIN || (root.location && root.location.origin) || '';
    var base;
    try {
      base = new URL(host);
    } catch (e) {
      throw AuthError('invalid_host_url', 'The host "' + host + '" is not a valid URL.');
    }
    this.host = host.replace(/\/+$/, '');
    this.origin = base.origin;
    this.websocketUrl = new URL(options.websocketsPath || '/', base).toString()
      .replace(/^https:/, 'wss:').replace(/^http:/, 'ws:');
    this.publicKey = options.publicKey;
    this.connectSessionToken = options.connectSessionToken;
    this.width = options.width || 500;
    this.height = options.height || 600;
    this.debug = !!options.debug;
    this.busy = false;
  }

  Ferry.AuthError = AuthError;

  Ferry.prototype.log = function () {
    if (this.debug && root.console) root.console.log.apply(root.console, ['[ferry]'].concat([].slice.call(arguments)));
  };

  Ferry.prototype.connectUrl = function (integration, connectionId, options) {
    var query = [];
    var add = function (name, value) {
      query.push(encodeURIComponent(name) + '=' + encodeURIComponent(value));
    };
    if (connectionId) add('connection_id', connectionId);
    if (this.connectSessionToken) add('connect_session_token', this.connectSessionToken);
    else add('public_key', this.publicKey);
    var params = options.params || {};
    Object.keys(params).forEach(function (name) {
      if (typeof params[name] === 'string') add('params[' + name + ']', params[name]);
    });
    if (options.user_scope) {
      add('user_scope', Array.isArray(options.user_scope) ? options.user_scope.join(',') : options.user_scope);
    }
    // The callback page posts its result to this origin only.
    var location = root.location;
    if (location && (location.protocol === 'http:' || location.protocol === 'https:')) {
      add('origin', location.origin);
    }
    return this.host + '/oauth/connect/' + encodeURIComponent(integration) + '?' + query.join('&');
  };

  Ferry.prototype.popupFeatures = function () {
    var screen = root.screen || { width: this.width, height: this.height };
    var width = Math.min(this.width, screen.width);
    var height = Math.min(this.height, screen.height);
    var left = Math.max(screen.width / 2 - width / 2, 0);
    var top = Math.max(screen.height / 2 - height / 2, 0);
    return 'width=' + width + ',height=' + height + ',left=' + left + ',top=' + top +
      ',scrollbars=yes,resizable=yes,status=no,toolbar=no,location=no,menubar=no';
  };

  // auth(integration, connectionId?, options?) -> Promise<{integration, connectionId}>
  Ferry.prototype.auth = function (integration, connectionId, options) {
    var self = this;
    if (connectionId && typeof connectionId === 'object') {
      options = connectionId;
      connectionId = undefined;
    }
    options = options || {};
    if (!integration || typeof integration !== 'string') {
      return Promise.reject(AuthError('invalid_integration', 'auth() needs the integration key as its first argument.'));
    }
    if (!this.publicKey && !this.connectSessionToken) {
      return Promise.reject(AuthError('missing_auth_token', 'new Ferry() needs a publicKey or a connectSessionToken.'));
    }
    if (this.busy) {
      return Promise.reject(AuthError('window_is_opened', 'An authorization window is already open.'));
    }
    var url = this.connectUrl(integration, connectionId, options);

    // Opened now, while the click still allows popups; it is pointed at Ferry once the
    // websocket has acknowledged.
    var popup = root.open('', 'ferry_auth_' + Date.now(), this.popupFeatures());
    if (!popup || popup.closed || typeof popup.closed === 'undefined') {
      return Promise.reject(AuthError('blocked_by_browser',
        'The browser blocked the authorization popup. Allow popups for this site, or call auth() from a click handler.'));
    }
    try {
      popup.document.title = 'Connecting…';
      popup.document.body.textContent = 'Connecting…';
    } catch (e) { /* not ours to write: fine */ }

    this.busy = true;
    return new Promise(function (resolve, reject) {
      var done = false;
      var navigated = false;
      var socket = null;
      var closedSince = 0;

      function finish(error, result) {
        if (done) return;
        done = true;
        self.busy = false;
        root.removeEventListener('message', onMessage);
        root.clearInterval(poll);
        if (socket) {
          try { socket.close(); } catch (e) { /* already closed */ }
        }
        if (error) reject(error);
        else resolve(result);
      }
      function succeed(key, id) {
        finish(null, { integration: key, providerConfigKey: key, connectionId: id });
      }
      function navigate(wsClientId) {
        if (navigated || done) return;
        navigated = true;
        var target = wsClientId ? url + '&ws_client_id=' + encodeURIComponent(wsClientId) : url;
        self.log('opening', target);
        try {
          popup.location.href = target;
        } catch (e) {
          finish(AuthError('blocked_by_browser', 'The authorization popup could not be opened.'));
        }
      }
      function onMessage(event) {
        if (event.origin !== self.origin || !event.data || !event.data.eventType) return;
        var data = event.data.data || {};
        if (event.data.eventType === 'AUTHORIZATION_SUCEEDED') {
          succeed(data.providerConfigKey, data.connectionId);
        } else if (event.data.eventType === 'AUTHORIZATION_FAILED') {
          var error = data.error || {};
          finish(AuthError(error.type || 'unknown_err', error.message || 'The authorization failed.'));
        }
      }
      root.addEventListener('message', onMessage);

      var poll = root.setInterval(function () {
        if (!popup.closed) return;
        // A result may still be on its way (the callback page closes itself after success).
        closedSince = closedSince || Date.now();
        if (Date.now() - closedSince >= CLOSED_GRACE_MS) {
          finish(AuthError('window_closed', 'The authorization window was closed before the authorization completed.'));
        }
      }, CLOSED_POLL_MS);

      try {
        socket = new root.WebSocket(self.websocketUrl);
      } catch (e) {
        socket = null;
      }
      if (!socket) {
        navigate('');
        return;
      }
      socket.onmessage = function (message) {
        var data;
        try {
          data = JSON.parse(message.data);
        } catch (e) {
          return;
        }
        self.log('websocket', data);
        if (data.message_type === 'connection_ack') navigate(data.ws_client_id);
        else if (data.message_type === 'success') succeed(data.provider_config_key, data.connection_id);
        else if (data.message_type === 'error') {
          finish(AuthError(data.error_type || 'unknown_err', data.error_desc || 'The authorization failed.'));
        }
      };
      // Without a websocket the callback page's postMessage still reports the result.
      socket.onerror = function () { navigate(''); };
      socket.onclose = function () { navigate(''); };
    });
  };

  root.Ferry = Ferry;
  if (typeof module === 'object' && module && module.exports) module.exports = Ferry;
})(typeof window !== 'undefined' ? window : this);
