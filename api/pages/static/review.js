/* The review page: the queue of submitted updates, each published or rejected with a reason,
   all with the tab's staff key. */
"use strict";

(function () {
  const S = window.Suivi;
  const el = S.el;
  const t = S.t;

  const queue = document.getElementById("queue");
  const more = document.getElementById("more-queue");
  const heading = document.getElementById("queue-heading");
  let cursor = null;

  /* Run a review action, then show the queue as it now is. */
  async function act(update, path, body, done, controls) {
    controls.forEach(function (control) { control.disabled = true; });
    try {
      await S.request("POST", "/v1/updates/" + update.id + "/" + path, {
        withKey: true,
        body: body,
      });
    } catch (error) {
      controls.forEach(function (control) { control.disabled = false; });
      S.sayProblem(error);
      return;
    }
    S.say(t(done, { id: update.id }), "ok");
    await load(false, true);
    // The article just left the queue: keep keyboard users in a known place.
    heading.focus();
  }

  function article(update) {
    const node = el("article", { className: "update", dataset: { updateId: String(update.id) } });
    node.append(
      el("h3", {}, [t("contribute.update", { id: update.id }), " · ", S.subject(update)]),
      S.describe(update, true),
      S.narrative(update),
    );

    const publish = el("button", { type: "button", className: "publish" }, [
      t("review.publish", { id: update.id }),
    ]);

    const reasonId = "reason-" + update.id;
    const reason = el("textarea", {
      id: reasonId,
      className: "reason",
      rows: 3,
      required: true,
      maxLength: 5000,
    });
    const reject = el("button", { type: "submit", className: "reject secondary" }, [
      t("review.reject", { id: update.id }),
    ]);
    const rejectForm = el("form", { className: "reject-form stack" }, [
      el("div", {}, [el("label", { htmlFor: reasonId }, [t("review.reason", { id: update.id })]), reason]),
      reject,
    ]);

    const controls = [publish, reason, reject];
    publish.addEventListener("click", function () {
      act(update, "publish", undefined, "review.published", controls);
    });
    rejectForm.addEventListener("submit", function (event) {
      event.preventDefault();
      act(update, "reject", { reason: reason.value }, "review.rejected", controls);
    });

    node.append(el("div", { className: "decision" }, [publish, rejectForm]));
    return node;
  }

  /* The queue, oldest first; `next` appends the following page, `quiet` says nothing on success. */
  async function load(next, quiet) {
    if (!S.key.get()) {
      S.clear(queue);
      more.hidden = true;
      if (!quiet) {
        S.say(t("contribute.key.missing"));
      }
      return;
    }
    const params = new URLSearchParams({ review_state: "submitted", limit: "50" });
    if (next && cursor) {
      params.set("cursor", cursor);
    }
    let page;
    try {
      page = await S.request("GET", "/v1/updates?" + params, { withKey: true });
    } catch (error) {
      if (!next) {
        S.clear(queue);
        more.hidden = true;
      }
      S.sayProblem(error);
      return;
    }
    if (!next) {
      S.clear(queue);
    }
    page.items.forEach(function (update) {
      queue.append(article(update));
    });
    const shown = queue.querySelectorAll("article[data-update-id]").length;
    if (!shown) {
      queue.append(el("p", { className: "empty" }, [t("review.queue.none")]));
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (!quiet) {
      S.say(shown ? t("review.queue.count", { count: shown }) : t("review.queue.none"));
    }
  }

  document.getElementById("refresh-queue").addEventListener("click", function () {
    load(false, false);
  });
  more.addEventListener("click", function () {
    load(true, false);
  });

  if (S.keyForm(function (kept) { load(false, !kept); })) {
    load(false, false);
  }
})();
