// A stand-in for https://telegram.org/js/telegram-web-app.js in browser tests: the part of
// window.Telegram.WebApp that our pages use, read from the launch parameters in location.hash
// as the real script reads them (see docs/browser-tests.md). Nothing here talks to Telegram:
// what the page asks of the client is recorded in Telegram.WebView.posted for tests to read,
// and a test plays the client's side with Telegram.WebView.receiveEvent(name, data).
(function () {
  "use strict";
  var STORAGE_KEY = "__telegram__initParams";

  function parseParams(query) {
    var params = {};
    if (!query) {
      return params;
    }
    query.split("&").forEach(function (pair) {
      if (!pair) {
        return;
      }
      var at = pair.indexOf("=");
      var key = at < 0 ? pair : pair.slice(0, at);
      var value = at < 0 ? "" : pair.slice(at + 1);
      params[decodeURIComponent(key.replace(/\+/g, " "))] = decodeURIComponent(
        value.replace(/\+/g, " ")
      );
    });
    return params;
  }

  // The launch parameters: from the fragment, else (after a reload or a navigation inside the
  // app, where the fragment is gone) those this tab was launched with.
  var initParams = parseParams(location.hash.replace(/^#/, ""));
  try {
    if (initParams.tgWebAppData) {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(initParams));
    } else {
      initParams = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || "{}") || {};
    }
  } catch (error) {
    // sessionStorage refused (an opaque origin): the fragment's parameters only.
  }

  var initData = initParams.tgWebAppData || "";
  var initDataUnsafe = parseParams(initData);
  Object.keys(initDataUnsafe).forEach(function (key) {
    var value = initDataUnsafe[key];
    if (/^[{[]/.test(value) && /[}\]]$/.test(value)) {
      try {
        initDataUnsafe[key] = JSON.parse(value);
      } catch (error) {
        // left as the string it came as, like the real script does
      }
    }
  });

  var themeParams = {};
  try {
    themeParams = JSON.parse(initParams.tgWebAppThemeParams || "{}") || {};
  } catch (error) {
    themeParams = {};
  }

  var eventHandlers = {};
  var posted = [];

  function postEvent(eventType, eventData) {
    posted.push({ eventType: eventType, eventData: eventData === undefined ? null : eventData });
  }

  function emit(eventType, data) {
    (eventHandlers[eventType] || []).slice().forEach(function (handler) {
      handler.call(WebApp, data);
    });
  }

  function isColorDark(hex) {
    var match = /^#?([0-9a-f]{6})$/i.exec(hex || "");
    if (!match) {
      return false;
    }
    var value = parseInt(match[1], 16);
    var r = (value >> 16) & 255;
    var g = (value >> 8) & 255;
    var b = value & 255;
    return Math.sqrt(0.299 * r * r + 0.587 * g * g + 0.114 * b * b) < 120;
  }

  function setCssProperty(name, value) {
    var style = document.documentElement.style;
    if (value) {
      style.setProperty("--tg-" + name, value);
    } else {
      style.removeProperty("--tg-" + name);
    }
  }

  var WebApp = {
    initData: initData,
    initDataUnsafe: initDataUnsafe,
    version: initParams.tgWebAppVersion || "6.0",
    platform: initParams.tgWebAppPlatform || "unknown",
    themeParams: themeParams,
    colorScheme: "light",
    isExpanded: false,
    viewportHeight: window.innerHeight,
    viewportStableHeight: window.innerHeight,
    isClosingConfirmationEnabled: false,
  };

  function applyTheme(params) {
    WebApp.themeParams = params || {};
    WebApp.colorScheme = isColorDark(WebApp.themeParams.bg_color) ? "dark" : "light";
    Object.keys(WebApp.themeParams).forEach(function (key) {
      setCssProperty("theme-" + key.replace(/_/g, "-"), WebApp.themeParams[key]);
    });
    setCssProperty("color-scheme", WebApp.colorScheme);
  }

  function applyViewport() {
    WebApp.viewportHeight = window.innerHeight;
    WebApp.viewportStableHeight = window.innerHeight;
    setCssProperty("viewport-height", WebApp.viewportHeight + "px");
    setCssProperty("viewport-stable-height", WebApp.viewportStableHeight + "px");
  }

  WebApp.isVersionAtLeast = function (version) {
    var have = WebApp.version.split(".").map(Number);
    var want = String(version).split(".").map(Number);
    for (var i = 0; i < Math.max(have.length, want.length); i += 1) {
      var a = have[i] || 0;
      var b = want[i] || 0;
      if (a !== b) {
        return a > b;
      }
    }
    return true;
  };
  WebApp.onEvent = function (eventType, handler) {
    (eventHandlers[eventType] = eventHandlers[eventType] || []).push(handler);
  };
  WebApp.offEvent = function (eventType, handler) {
    var handlers = eventHandlers[eventType] || [];
    var at = handlers.indexOf(handler);
    if (at >= 0) {
      handlers.splice(at, 1);
    }
  };
  WebApp.ready = function () {
    postEvent("web_app_ready");
  };
  WebApp.expand = function () {
    WebApp.isExpanded = true;
    postEvent("web_app_expand");
  };
  WebApp.close = function () {
    postEvent("web_app_close");
  };
  WebApp.setHeaderColor = function (color) {
    postEvent("web_app_set_header_color", { color: color });
  };
  WebApp.setBackgroundColor = function (color) {
    postEvent("web_app_set_background_color", { color: color });
  };
  WebApp.enableClosingConfirmation = function () {
    WebApp.isClosingConfirmationEnabled = true;
  };
  WebApp.disableClosingConfirmation = function () {
    WebApp.isClosingConfirmationEnabled = false;
  };
  WebApp.openLink = function (url) {
    postEvent("web_app_open_link", { url: url });
  };
  WebApp.openTelegramLink = function (url) {
    postEvent("web_app_open_tg_link", { path_full: url });
  };
  WebApp.sendData = function (data) {
    postEvent("web_app_data_send", { data: data });
  };
  // The client's own dialogs, played by the browser's: a test answers them with Playwright's
  // `page.on("dialog", ...)` (unanswered, confirm() is dismissed: "Cancel").
  WebApp.showAlert = function (message, callback) {
    window.alert(message);
    if (callback) {
      setTimeout(callback, 0);
    }
  };
  WebApp.showConfirm = function (message, callback) {
    var ok = window.confirm(message);
    if (callback) {
      setTimeout(function () {
        callback(ok);
      }, 0);
    }
  };
  WebApp.showPopup = function (params, callback) {
    var buttons = params.buttons || [{ id: "", type: "close" }];
    var ok = window.confirm(params.message);
    var chosen = buttons.filter(function (button) {
      return ok !== (button.type === "cancel" || button.type === "close");
    })[0];
    if (callback) {
      setTimeout(function () {
        callback(chosen ? chosen.id || "" : "");
      }, 0);
    }
  };

  WebApp.BackButton = {
    isVisible: false,
    show: function () {
      WebApp.BackButton.isVisible = true;
      postEvent("web_app_setup_back_button", { is_visible: true });
      return WebApp.BackButton;
    },
    hide: function () {
      WebApp.BackButton.isVisible = false;
      postEvent("web_app_setup_back_button", { is_visible: false });
      return WebApp.BackButton;
    },
    onClick: function (callback) {
      WebApp.onEvent("backButtonClicked", callback);
      return WebApp.BackButton;
    },
    offClick: function (callback) {
      WebApp.offEvent("backButtonClicked", callback);
      return WebApp.BackButton;
    },
  };

  function bottomButton(eventType) {
    var button = {
      text: "Continue",
      color: themeParams.button_color || "#2481cc",
      textColor: themeParams.button_text_color || "#ffffff",
      isVisible: false,
      isActive: true,
      isProgressVisible: false,
    };
    button.setText = function (text) {
      button.text = String(text);
      return button;
    };
    button.setParams = function (params) {
      Object.keys(params || {}).forEach(function (key) {
        var name = { text_color: "textColor", is_visible: "isVisible", is_active: "isActive" }[key];
        button[name || key] = params[key];
      });
      return button;
    };
    button.onClick = function (callback) {
      WebApp.onEvent(eventType, callback);
      return button;
    };
    button.offClick = function (callback) {
      WebApp.offEvent(eventType, callback);
      return button;
    };
    button.show = function () {
      button.isVisible = true;
      return button;
    };
    button.hide = function () {
      button.isVisible = false;
      return button;
    };
    button.enable = function () {
      button.isActive = true;
      return button;
    };
    button.disable = function () {
      button.isActive = false;
      return button;
    };
    button.showProgress = function () {
      button.isProgressVisible = true;
      return button;
    };
    button.hideProgress = function () {
      button.isProgressVisible = false;
      return button;
    };
    return button;
  }
  WebApp.MainButton = bottomButton("mainButtonClicked");
  WebApp.SecondaryButton = bottomButton("secondaryButtonClicked");

  WebApp.HapticFeedback = {
    impactOccurred: function () {
      return WebApp.HapticFeedback;
    },
    notificationOccurred: function () {
      return WebApp.HapticFeedback;
    },
    selectionChanged: function () {
      return WebApp.HapticFeedback;
    },
  };

  // The client's side: what Telegram would send the page.
  function receiveEvent(eventType, eventData) {
    if (eventType === "back_button_pressed") {
      emit("backButtonClicked");
    } else if (eventType === "main_button_pressed") {
      emit("mainButtonClicked");
    } else if (eventType === "secondary_button_pressed") {
      emit("secondaryButtonClicked");
    } else if (eventType === "theme_changed") {
      applyTheme((eventData && eventData.theme_params) || {});
      emit("themeChanged");
    } else if (eventType === "viewport_changed") {
      applyViewport();
      emit("viewportChanged", { isStateStable: true });
    }
  }

  applyTheme(themeParams);
  applyViewport();
  window.addEventListener("resize", function () {
    receiveEvent("viewport_changed");
  });

  window.Telegram = window.Telegram || {};
  window.Telegram.WebApp = WebApp;
  window.Telegram.WebView = {
    initParams: initParams,
    posted: posted,
    postEvent: postEvent,
    receiveEvent: receiveEvent,
    isStandIn: true,
  };
})();
