/* The submission page: find a recommendation, submit a progress update with the tab's key,
   and follow the organisation's own submissions. */
"use strict";

(function () {
  const S = window.Suivi;
  const el = S.el;
  const t = S.t;

  const searchForm = document.getElementById("search-form");
  const searchField = document.getElementById("recommendation-search");
  const results = document.getElementById("recommendation-results");
  const updateForm = document.getElementById("update-form");
  const recommendationField = document.getElementById("recommendation-id");
  const chosen = document.getElementById("recommendation-chosen");
  const submitButton = document.getElementById("submit-update");
  const dateField = document.getElementById("as-of-date");
  const mine = document.getElementById("my-updates");
  const moreMine = document.getElementById("more-my-updates");

  /* One Idempotency-Key per submission: kept while the form is unchanged, so a double click or a
     retry after a lost answer replays the first request instead of creating a second update. */
  let idempotencyKey = null;
  let sending = false;
  let mineCursor = null;

  function summary(recommendation) {
    const where = [recommendation.state, recommendation.body,
      recommendation.document_symbol, recommendation.paragraph && "¶ " + recommendation.paragraph]
      .filter(Boolean).join(" · ");
    return [
      el("strong", {}, [t("contribute.recommendation", { id: recommendation.id })]),
      " ",
      el("span", { className: "where" }, [where]),
      el("span", { className: "excerpt", lang: recommendation.language || "", dir: "auto" }, [
        String(recommendation.text || ""),
      ]),
    ];
  }

  function showChosen(recommendation) {
    S.clear(chosen);
    if (recommendation) {
      chosen.append(el("p", { className: "hint" }, summary(recommendation)));
    }
  }

  async function loadChosen() {
    const id = recommendationField.value.trim();
    showChosen(null);
    if (!/^[1-9][0-9]*$/.test(id)) {
      return;
    }
    try {
      showChosen(await S.request("GET", "/v1/recommendations/" + id));
    } catch (error) {
      S.sayProblem(error);
    }
  }

  function choose(recommendation) {
    recommendationField.value = String(recommendation.id);
    idempotencyKey = null;
    showChosen(recommendation);
    S.say(t("submit.find.chosen", { id: recommendation.id }), "ok");
    recommendationField.focus();
  }

  searchForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    const query = searchField.value.trim();
    S.clear(results);
    if (!query) {
      searchField.focus();
      return;
    }
    S.say(t("contribute.loading"));
    let page;
    try {
      page = await S.request(
        "GET", "/v1/recommendations?" + new URLSearchParams({ q: query, limit: "10" }),
      );
    } catch (error) {
      S.sayProblem(error);
      return;
    }
    page.items.forEach(function (recommendation) {
      const button = el("button", {
        type: "button",
        className: "secondary choose",
        dataset: { recommendationId: String(recommendation.id) },
      }, [t("submit.find.choose", { id: recommendation.id })]);
      button.addEventListener("click", function () {
        choose(recommendation);
      });
      results.append(el("li", {}, [el("p", {}, summary(recommendation)), button]));
    });
    S.say(page.items.length
      ? t("submit.find.count", { count: page.items.length })
      : t("submit.find.none"));
  });

  recommendationField.addEventListener("change", loadChosen);

  updateForm.addEventListener("input", function () {
    idempotencyKey = null;
  });
  updateForm.addEventListener("change", function () {
    idempotencyKey = null;
  });

  function body() {
    const checked = updateForm.querySelector("input[name=confidentiality]:checked");
    return {
      source_type: document.getElementById("source-type").value,
      assessed_status: document.getElementById("assessed-status").value,
      narrative: document.getElementById("narrative").value,
      evidence_urls: document.getElementById("evidence-urls").value
        .split(/\r?\n/)
        .map(function (line) { return line.trim(); })
        .filter(Boolean),
      as_of_date: dateField.value,
      confidentiality: checked ? checked.value : "",
    };
  }

  updateForm.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (sending) {
      return;
    }
    if (!S.key.get()) {
      S.say(t("contribute.key.missing"));
      document.getElementById("api-key").focus();
      return;
    }
    const id = recommendationField.value.trim();
    idempotencyKey = idempotencyKey || S.uuid();
    sending = true;
    submitButton.disabled = true;
    S.say(t("submit.sending"));
    try {
      const update = await S.request("POST", "/v1/recommendations/" + id + "/updates", {
        withKey: true,
        body: body(),
        idempotencyKey: idempotencyKey,
      });
      idempotencyKey = null;
      updateForm.reset();
      recommendationField.value = id;
      S.say(t("submit.submitted", { id: update.id }), "ok", true);
      loadMine(false);
    } catch (error) {
      S.sayProblem(error);
    } finally {
      sending = false;
      submitButton.disabled = false;
    }
  });

  async function retract(update, button) {
    button.disabled = true;
    try {
      await S.request("POST", "/v1/updates/" + update.id + "/retract", { withKey: true });
      S.say(t("submit.withdrawn", { id: update.id }), "ok");
      await loadMine(false);
      document.getElementById("mine-heading").focus();
    } catch (error) {
      button.disabled = false;
      S.sayProblem(error);
    }
  }

  function mineItem(update) {
    const item = el("li", { dataset: { updateId: String(update.id) } }, [
      el("h3", {}, [t("contribute.update", { id: update.id }), " · ", S.subject(update)]),
      S.describe(update, false),
    ]);
    if (update.review_state === "rejected" && update.review_reason) {
      item.append(el("div", { className: "rejection" }, [
        el("h4", {}, [t("contribute.field.reason")]),
        el("p", { className: "text", dir: "auto" }, [String(update.review_reason)]),
      ]));
    }
    item.append(S.narrative(update));
    if (update.review_state === "submitted") {
      const button = el("button", { type: "button", className: "secondary retract" }, [
        t("submit.withdraw", { id: update.id }),
      ]);
      button.addEventListener("click", function () {
        retract(update, button);
      });
      item.append(button);
    }
    return item;
  }

  /* The organisation's own updates; `more` appends the next page to those shown. */
  async function loadMine(more) {
    if (!S.key.get()) {
      S.clear(mine);
      moreMine.hidden = true;
      return;
    }
    const params = new URLSearchParams({ limit: "50" });
    if (more && mineCursor) {
      params.set("cursor", mineCursor);
    }
    let page;
    try {
      page = await S.request("GET", "/v1/updates?" + params, { withKey: true });
    } catch (error) {
      S.sayProblem(error);
      return;
    }
    if (!more) {
      S.clear(mine);
    }
    page.items.forEach(function (update) {
      mine.append(mineItem(update));
    });
    if (!mine.children.length) {
      mine.append(el("li", { className: "empty" }, [t("submit.mine.none")]));
    }
    mineCursor = page.next_cursor;
    moreMine.hidden = !mineCursor;
  }

  document.getElementById("refresh-my-updates").addEventListener("click", function () {
    loadMine(false).then(function () {
      const shown = mine.querySelectorAll("li[data-update-id]").length;
      if (S.key.get()) {
        S.say(shown ? t("submit.mine.count", { count: shown }) : t("submit.mine.none"));
      } else {
        S.say(t("contribute.key.missing"));
      }
    });
  });
  moreMine.addEventListener("click", function () {
    loadMine(true);
  });

  // The submitter's own day: the API refuses only dates after it.
  const today = new Date();
  dateField.max = [
    today.getFullYear(),
    String(today.getMonth() + 1).padStart(2, "0"),
    String(today.getDate()).padStart(2, "0"),
  ].join("-");

  if (S.keyForm(function () { loadMine(false); })) {
    loadMine(false);
  }
  loadChosen();
})();
