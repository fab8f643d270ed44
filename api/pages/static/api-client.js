/* Shared by the contribution pages: the tab's API key, calls to Suivi's JSON API, and the DOM
   helpers that show its answers. Everything from the API is written as text, never as HTML. */
"use strict";

(function () {
  const KEY_NAME = "suivi.apiKey";

  const data = JSON.parse(document.getElementById("page-data").textContent);
  const language = document.documentElement.lang || "en";

  /* A message in the page's language, with `{name}` filled in from `values`. */
  function t(key, values) {
    const text = data.text[key] || key;
    return text.replace(/\{(\w+)\}/g, function (whole, name) {
      return values && name in values ? String(values[name]) : whole;
    });
  }

  /* What a person reads for a code (its code when the page does not know it). */
  function label(kind, code) {
    const known = data.labels[kind] || {};
    return known[code] || String(code);
  }

  /* The key lives in this tab's session storage only: gone when the tab closes. */
  const key = {
    get() {
      try {
        return window.sessionStorage.getItem(KEY_NAME) || "";
      } catch (error) {
        return "";
      }
    },
    set(value) {
      window.sessionStorage.setItem(KEY_NAME, value);
    },
    forget() {
      try {
        window.sessionStorage.removeItem(KEY_NAME);
      } catch (error) {
        /* Storage refused: there is nothing kept to forget. */
      }
    },
  };

  class ApiError extends Error {
    constructor(status, problem) {
      super((problem && problem.detail) || String(status));
      this.status = status;
      this.problem = problem || {};
    }
  }

  /* A random UUID; `randomUUID` exists only on HTTPS and localhost, `getRandomValues` everywhere. */
  function uuid() {
    if (window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, function (byte) {
      return byte.toString(16).padStart(2, "0");
    }).join("");
    return [
      hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20),
    ].join("-");
  }

  /* Call the API; resolves with the JSON body, rejects with an ApiError (status 0: unreachable). */
  async function request(method, path, options) {
    const opts = options || {};
    if (!path.startsWith("/v1/")) {
      // The key is for Suivi's API alone; refuse to send it anywhere else.
      throw new Error("not an API path: " + path);
    }
    const headers = { Accept: "application/json, application/problem+json" };
    if (opts.withKey) {
      headers.Authorization = "Bearer " + key.get();
    }
    if (opts.idempotencyKey) {
      headers["Idempotency-Key"] = opts.idempotencyKey;
    }
    let body;
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers,
        body: body,
        credentials: "omit",
        cache: "no-cache",
        redirect: "error",
      });
    } catch (error) {
      throw new ApiError(0, { detail: t("contribute.network") });
    }
    let payload = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      try {
        payload = await response.json();
      } catch (error) {
        payload = null;
      }
    }
    if (!response.ok) {
      throw new ApiError(response.status, payload);
    }
    return payload;
  }

  /* `tag` with `properties` (className, id, type, dataset...) and text or node children. */
  function el(tag, properties, children) {
    const node = document.createElement(tag);
    const props = properties || {};
    Object.keys(props).forEach(function (name) {
      if (name === "dataset") {
        Object.assign(node.dataset, props.dataset);
      } else if (name === "attributes") {
        Object.keys(props.attributes).forEach(function (attribute) {
          node.setAttribute(attribute, props.attributes[attribute]);
        });
      } else {
        node[name] = props[name];
      }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) {
        return;
      }
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  const region = document.getElementById("messages");

  /* Bring the live region into view when it is scrolled away, as an error summary would be. */
  function reveal() {
    const box = region.getBoundingClientRect();
    if (box.top < 0 || box.bottom > window.innerHeight) {
      region.scrollIntoView({ block: "nearest" });
    }
  }

  /* Say `text` in the live region, as good news or as a plain notice; `shown` reveals it. */
  function say(text, kind, shown) {
    clear(region);
    region.append(el("p", { className: kind || "notice" }, [text]));
    if (shown) {
      reveal();
    }
  }

  /* Say why the API refused: its title, its detail, and each invalid field with its reason. */
  function sayProblem(error) {
    clear(region);
    const problem = (error && error.problem) || {};
    const box = el("div", { className: "error" });
    const status = error && error.status ? error.status : 0;
    const heading = problem.title
      ? problem.title + " (" + status + ")"
      : status ? t("contribute.refused", { status: status }) : t("contribute.network");
    box.append(el("p", {}, [el("strong", {}, [heading])]));
    if (problem.detail && problem.detail !== problem.title && problem.detail !== heading) {
      box.append(el("p", {}, [String(problem.detail)]));
    }
    if (Array.isArray(problem.errors) && problem.errors.length) {
      box.append(el("ul", {}, problem.errors.map(function (item) {
        const reason = item.reason || item.msg || "";
        return el("li", {}, [
          el("code", {}, [String(item.name || item.loc || "")]),
          reason ? ": " + reason : "",
        ]);
      })));
    }
    region.append(box);
    reveal();
  }

  function formatInstant(value) {
    if (!value) {
      return "—";
    }
    const date = new Date(value);
    if (Number.isNaN(date.getTime())) {
      return String(value);
    }
    return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" })
      .format(date);
  }

  /* A link to an evidence URL when it is http(s); its bare text otherwise. */
  function evidenceLink(url) {
    let parsed = null;
    try {
      parsed = new URL(url);
    } catch (error) {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
      return el("span", { dir: "ltr" }, [String(url)]);
    }
    return el("a", { href: parsed.href, rel: "noopener noreferrer", dir: "ltr" }, [String(url)]);
  }

  /* The subject of an update: a link to its recommendation's page, or its State action. */
  function subject(update) {
    if (update.recommendation_id) {
      return el("a", {
        href: "/recommendations/" + encodeURIComponent(update.recommendation_id) +
          "?lang=" + encodeURIComponent(language),
      }, [t("contribute.recommendation", { id: update.recommendation_id })]);
    }
    return el("span", {}, [t("contribute.action", { id: update.action_id })]);
  }

  function badge(status) {
    return el("span", { className: "badge s-" + status }, [label("status", status)]);
  }

  /* An update's facts as a description list; `showOrganisation` for staff. */
  function describe(update, showOrganisation) {
    const rows = [
      ["contribute.field.review_state", el("strong", {}, [label("review_state", update.review_state)])],
      ["contribute.field.source_type", label("source_type", update.source_type)],
      ["contribute.field.assessed_status", badge(update.assessed_status)],
      ["contribute.field.as_of_date", el("time", { dateTime: update.as_of_date }, [update.as_of_date])],
      ["contribute.field.confidentiality", label("confidentiality", update.confidentiality)],
      ["contribute.field.submitted_at", formatInstant(update.submitted_at)],
    ];
    if (showOrganisation) {
      rows.push([
        "contribute.field.organisation",
        update.submitter
          ? el("bdi", {}, [String(update.submitter.organisation)])
          : t("contribute.not_named"),
      ]);
    }
    const urls = update.evidence_urls || [];
    rows.push([
      "contribute.field.evidence",
      urls.length
        ? el("ul", { className: "evidence" }, urls.map(function (url) {
          return el("li", {}, [evidenceLink(url)]);
        }))
        : t("contribute.none"),
    ]);
    const list = el("dl", { className: "facts" });
    rows.forEach(function (row) {
      list.append(el("dt", {}, [t(row[0])]), el("dd", {}, [row[1]]));
    });
    return list;
  }

  /* The narrative as text: line breaks kept, nothing interpreted. */
  function narrative(update) {
    return el("div", { className: "narrative" }, [
      el("h4", {}, [t("contribute.field.narrative")]),
      el("p", { className: "text", dir: "auto" }, [String(update.narrative)]),
    ]);
  }

  /* The shared key form: save to the tab, forget, and tell `onChange` whether a key is kept. */
  function keyForm(onChange) {
    const form = document.getElementById("key-form");
    const field = document.getElementById("api-key");
    const status = document.getElementById("key-status");
    function show() {
      status.textContent = key.get() ? t("contribute.key.present") : t("contribute.key.absent");
    }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      const value = field.value.trim();
      if (!value) {
        say(t("contribute.key.missing"));
        field.focus();
        return;
      }
      try {
        key.set(value);
      } catch (error) {
        // Storage can be switched off or full; the key is then not kept at all.
        say(String(error.message || error), "error", true);
        return;
      }
      // The field is emptied: the key stays in session storage, not in the page.
      field.value = "";
      show();
      say(t("contribute.key.saved"), "ok");
      onChange(true);
    });
    document.getElementById("forget-key").addEventListener("click", function () {
      key.forget();
      field.value = "";
      show();
      say(t("contribute.key.forgotten"), "ok");
      onChange(false);
    });
    show();
    return Boolean(key.get());
  }

  window.Suivi = {
    language: language,
    t: t,
    label: label,
    key: key,
    keyForm: keyForm,
    ApiError: ApiError,
    uuid: uuid,
    request: request,
    el: el,
    clear: clear,
    say: say,
    sayProblem: sayProblem,
    describe: describe,
    narrative: narrative,
    subject: subject,
  };
})();
