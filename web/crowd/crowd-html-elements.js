/*
 * Quorum's stand-in for Ground Truth's crowd-html-elements.js, for custom worker templates.
 * The server points a template's <script src="https://assets.crowd.aws/crowd-html-elements.js">
 * here (quorum/templates.py). It is a classic script, as Ground Truth's is; it loads the
 * elements as modules: <crowd-form> and the generic inputs (crowd-form.js) and the labeling
 * elements of the worker portal (../elements/index.js). The template runs in a sandboxed
 * frame whose origin is opaque, so these are cross-origin loads (the server sends
 * Access-Control-Allow-Origin for /static).
 */
(function loadCrowdElements() {
  var here = document.currentScript ? document.currentScript.src : location.href;
  import(new URL("../elements/index.js", here).href);
  import(new URL("./crowd-form.js", here).href);
})();
