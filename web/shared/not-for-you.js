/**
 * The page an app shows someone whose role it is not for (the console to a worker, the
 * worker portal to a requester or an admin): who is signed in, who the app is for, and a
 * link to the app that is theirs. No buttons: nothing on this page could work for them.
 */

import { el } from "./dom.js";

/** "a worker", "an admin". */
function withArticle(word) {
  return `${/^[aeiou]/i.test(word) ? "an" : "a"} ${word}`;
}

/** A <section class="not-for-you"> for `user` ({name, role}): `title` as its heading,
 * `purpose` (who does what in this app) after who is signed in, and a link to `href`. */
export function notForYou(user, { title, purpose, href, link }) {
  const who = `You are signed in as ${user.name}, ${withArticle(user.role.toLowerCase())}.`;
  return el(
    "section",
    { class: "not-for-you" },
    el("h2", { text: title }),
    el("p", { text: `${who} ${purpose}` }),
    el("p", {}, el("a", { href, text: link })),
  );
}
