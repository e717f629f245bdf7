// reviewbot Mini App: reads Telegram's launch data, follows its theme, and loads each page's
// server-rendered HTML fragment with the launch data in `Authorization: tma <initData>`.
(function () {
  "use strict";
  var base = document.body.dataset.base || "";
  var main = document.getElementById("main");
  var tg = window.Telegram && window.Telegram.WebApp;
  var KEY = "reviewbot.initData";

  function hashParams() {
    var hash = window.location.hash.replace(/^#/, "");
    var params = {};
    hash.split("&").forEach(function (pair) {
      var at = pair.indexOf("=");
      if (at > 0) {
        try { params[pair.slice(0, at)] = decodeURIComponent(pair.slice(at + 1)); } catch (e) { /* ignored */ }
      }
    });
    return params;
  }

  var launch = hashParams();
  var initData = launch.tgWebAppData || (tg && tg.initData) || "";
  try {
    if (initData) { window.sessionStorage.setItem(KEY, initData); }
    else { initData = window.sessionStorage.getItem(KEY) || ""; }
  } catch (e) { /* storage refused: keep it in memory */ }

  function applyTheme() {
    var theme = (tg && tg.themeParams) || {};
    if (launch.tgWebAppThemeParams) {
      try { theme = Object.assign({}, JSON.parse(launch.tgWebAppThemeParams), theme); } catch (e) { /* ignored */ }
    }
    var root = document.documentElement;
    Object.keys(theme).forEach(function (name) {
      if (/^#[0-9a-fA-F]{3,8}$/.test(theme[name])) {
        root.style.setProperty("--tg-theme-" + name.replace(/_/g, "-"), theme[name]);
      }
    });
    var scheme = tg && tg.colorScheme;
    if (!scheme && theme.bg_color) {
      var hex = theme.bg_color.replace("#", "");
      if (hex.length === 3) { hex = hex.split("").map(function (c) { return c + c; }).join(""); }
      var r = parseInt(hex.slice(0, 2), 16), g = parseInt(hex.slice(2, 4), 16), b = parseInt(hex.slice(4, 6), 16);
      scheme = (0.299 * r + 0.587 * g + 0.114 * b) < 128 ? "dark" : "light";
    }
    root.dataset.scheme = scheme || "light";
  }

  function suffixOf(pathname) {
    var suffix = pathname.indexOf(base) === 0 ? pathname.slice(base.length) : pathname;
    return (suffix === "" || suffix === "/") ? "/files" : suffix;
  }

  function authorized(options) {
    options = options || {};
    options.headers = Object.assign({ Authorization: "tma " + initData }, options.headers || {});
    options.credentials = "omit";
    return options;
  }

  function show(html, status) {
    main.innerHTML = html;
    main.setAttribute("aria-busy", "false");
    main.dataset.status = String(status);
    var heading = main.querySelector("h1");
    if (heading) {
      document.title = heading.textContent + " · reviewbot";
      heading.focus({ preventScroll: true });
    }
    enhance(main);
    updateBackButton();
  }

  function load(url, push) {
    var target = new URL(url, window.location.href);
    if (push) { window.history.pushState({}, "", target.pathname + target.search); }
    main.setAttribute("aria-busy", "true");
    return fetch(base + "/part" + suffixOf(target.pathname) + target.search, authorized())
      .then(function (response) {
        var language = response.headers.get("Content-Language");
        if (language) { document.documentElement.lang = language; }
        return response.text().then(function (html) { show(html, response.status); });
      })
      .catch(function () {
        show('<p class="refusal" role="alert">' + (document.documentElement.lang === "ru" ? "Нет связи." : "No connection.") + "</p>", 0);
      });
  }

  function reload() { return load(window.location.href, false); }

  function ours(link) {
    return link.origin === window.location.origin && link.pathname.indexOf(base + "/") === 0 &&
      link.pathname.indexOf(base + "/api/") !== 0 && link.pathname.indexOf(base + "/static/") !== 0 &&
      !link.hasAttribute("download") && !link.dataset.native;
  }

  function updateBackButton() {
    if (!tg || !tg.BackButton) { return; }
    if (suffixOf(window.location.pathname) === "/files") { tg.BackButton.hide(); }
    else { tg.BackButton.show(); }
  }

  function message(form, text) {
    var box = form.querySelector(".form-message");
    if (box) { box.textContent = text; }
  }

  function submitForm(form) {
    var method = form.dataset.method || "POST";
    var options = { method: method };
    if (form.enctype === "multipart/form-data") { options.body = new FormData(form); }
    else if (method !== "GET" && method !== "DELETE") {
      options.body = JSON.stringify(Object.fromEntries(new FormData(form).entries()));
      options.headers = { "Content-Type": "application/json" };
    }
    var buttons = form.querySelectorAll("button");
    buttons.forEach(function (b) { b.disabled = true; });
    message(form, "");
    var line = form.closest("li[data-line]");  // a form on a line: back to that line after
    return fetch(form.dataset.api, authorized(options))
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          buttons.forEach(function (b) { b.disabled = false; });
          if (!response.ok) { message(form, body.message || body.error || String(response.status)); return; }
          if (form.dataset.then) { load(form.dataset.then, true); return; }
          var anchor = form.dataset.revealComment !== undefined && body.comment_id ?
            "comment-" + body.comment_id : (line && line.id);
          reload().then(function () { if (anchor) { reveal(anchor, 0); } });
        });
      })
      .catch(function () { buttons.forEach(function (b) { b.disabled = false; }); message(form, "—"); });
  }

  function download(button) {
    fetch(button.dataset.download, authorized()).then(function (response) {
      if (!response.ok) { return; }
      return response.blob().then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = button.dataset.filename || "file.py";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
      });
    });
  }

  // Parts of a long page (the report's lines) load as they come into view.
  var observer = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { observer.unobserve(entry.target); loadMore(entry.target); }
    });
  }, { rootMargin: "800px" }) : null;

  function loadMore(link) {
    if (link.loading) { return link.loading; }
    link.dataset.loading = "1";
    var target = new URL(link.href, window.location.href);
    link.loading = fetch(base + "/part" + suffixOf(target.pathname) + target.search, authorized())
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var part = holder.content.querySelector("[data-part]");
        var into = link.closest("[data-more-into]");
        var list = into && document.getElementById(into.dataset.moreInto);
        if (part && list) {
          Array.prototype.slice.call(part.children).forEach(function (child) { list.appendChild(child); });
          var next = holder.content.querySelector("[data-more-into]");
          into.replaceWith(next || document.createTextNode(""));
          if (next) { enhance(next.parentNode || document); }
        }
      });
    return link.loading;
  }

  // An element of a long page that may be in a part not loaded yet: load parts until it is
  // there, then show it and give it the focus (a line: its button).
  function reveal(id, tries) {
    var target = document.getElementById(id);
    if (target) {
      target.scrollIntoView({ block: "center" });
      var focus = target.matches("[tabindex]") ? target : target.querySelector("button, a, [tabindex]");
      if (focus) { focus.focus({ preventScroll: true }); }
      return;
    }
    var more = document.querySelector("[data-more-into] a[data-more]");
    if (more && tries < 100) { loadMore(more).then(function () { reveal(id, tries + 1); }); }
  }

  // A line comment (review page): the form under the line whose number was tapped.
  function openLineForm(button) {
    closeLineForm(false);
    var template = document.getElementById("line-form-template");
    var line = button.closest("li[data-line]");
    if (!template || !line) { return; }
    var form = template.content.querySelector("form").cloneNode(true);
    var number = button.dataset.commentLine;
    form.dataset.opener = number;
    form.querySelector("[name=first_line]").value = number;
    var to = form.querySelector("[name=last_line]");
    to.min = number;
    to.placeholder = number;
    var title = form.querySelector(".line-form-title");
    title.textContent = title.dataset.title.replace("{line}", number);
    title.id = "line-form-title";
    form.setAttribute("aria-labelledby", "line-form-title");
    line.appendChild(form);
    button.setAttribute("aria-expanded", "true");
    form.querySelector("textarea").focus();
  }

  function closeLineForm(giveFocusBack) {
    var form = document.querySelector("form.line-form");
    if (!form) { return; }
    var opener = document.querySelector('[data-comment-line="' + form.dataset.opener + '"]');
    form.remove();
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      if (giveFocusBack) { opener.focus(); }
    }
  }

  function enhance(scope) {
    if (observer) {
      scope.querySelectorAll("[data-more-into] a[data-more]").forEach(function (link) { observer.observe(link); });
    }
  }

  document.addEventListener("click", function (event) {
    var element = event.target.closest("a, button");
    if (!element) { return; }
    if (element.dataset.more) { event.preventDefault(); loadMore(element); return; }
    if (element.dataset.commentLine) { openLineForm(element); return; }
    if (element.dataset.cancelLineForm !== undefined) { closeLineForm(true); return; }
    if (element.dataset.reveal) {
      var panel = document.getElementById(element.dataset.reveal);
      panel.hidden = false;
      element.setAttribute("aria-expanded", "true");
      var first = panel.querySelector("button, a, input, textarea, select");
      if (first) { first.focus(); }
      return;
    }
    if (element.dataset.hide) {
      document.getElementById(element.dataset.hide).hidden = true;
      var opener = document.querySelector('[data-reveal="' + element.dataset.hide + '"]');
      if (opener) { opener.setAttribute("aria-expanded", "false"); opener.focus(); }
      return;
    }
    if (element.dataset.download) { event.preventDefault(); download(element); return; }
    if (element.tagName === "A" && element.origin !== window.location.origin && tg && tg.openLink) {
      event.preventDefault();  // another site (ruff's docs): Telegram opens it outside the app
      tg.openLink(element.href);
      return;
    }
    if (element.tagName === "A" && ours(element) && !event.ctrlKey && !event.metaKey) {
      event.preventDefault();
      load(element.href, true);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.api) { event.preventDefault(); submitForm(form); }
    else if (form.dataset.get) {  // a filter: the page again with the form's fields
      event.preventDefault();
      var query = new URLSearchParams(new FormData(form)).toString();
      load(form.dataset.get + (query ? "?" + query : ""), true);
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.dataset.get && form.dataset.autosubmit !== undefined) { form.requestSubmit(); }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.target.closest && event.target.closest("form.line-form")) {
      closeLineForm(true);
    }
  });

  window.addEventListener("popstate", reload);
  if (tg && tg.BackButton) { tg.BackButton.onClick(function () { window.history.back(); }); }
  if (tg) {
    try { tg.ready(); tg.expand(); tg.onEvent("themeChanged", applyTheme); } catch (e) { /* an older client */ }
  }
  applyTheme();
  window.reviewbot = { load: load, reload: reload, authorized: authorized };
  reload();
})();
