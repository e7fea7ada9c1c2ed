// The playground's answer streamed in place, with a Stop button. Without this file, or in a browser
// without streamed fetch, the form posts as before (through htmx, or as a plain form) and the page shows
// the whole answer. The stream view answers Server-Sent Events: "start" (the session), "piece" (text as it
// comes), then "done" or "error" (history id, latency, cost, the session's address) and [DONE]; then the
// panel is fetched again, the answer drawn from Markdown with its meta line. A form error or a refusal
// comes back as the panel itself (HTML, not a stream), which replaces the one shown.
(() => {
  if (!window.fetch || !window.AbortController || !window.TextDecoder || !window.ReadableStream) return;

  function showCopyButtons(root) {
    if (!navigator.clipboard) return;
    root.querySelectorAll("button[data-copy][hidden]").forEach((button) => { button.hidden = false; });
  }

  // Put the panel drawn by the server in place of `panel`, unless the user has opened another since;
  // false when the answer has no panel.
  function swapPanel(html, panel) {
    const shown = document.getElementById("playground");
    const fresh = new DOMParser().parseFromString(html, "text/html").getElementById("playground");
    if (shown !== panel) return true;
    if (!shown || !fresh) return false;
    const adopted = document.importNode(fresh, true);
    shown.replaceWith(adopted);
    if (window.htmx) window.htmx.process(adopted);
    showCopyButtons(adopted);
    return true;
  }

  // The panel of the session as the model page draws it (the same GET as the session picker's).
  async function refreshPanel(url, panel) {
    const response = await fetch(url.split("#")[0], { credentials: "same-origin" });
    swapPanel(await response.text(), panel);
  }

  function element(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // The user's turn and an answer bubble that fills as the text comes, added under the conversation.
  function liveTurn(panel, prompt, modelName) {
    let list = panel.querySelector(".playground-turns");
    if (!list) {
      list = element("ol", "playground-turns");
      const empty = panel.querySelector(".playground-empty");
      if (empty) empty.replaceWith(list);
      else panel.querySelector(".playground-conversation").append(list);
    }
    // Not a .playground-turn: those are the turns the server drew, which the history has.
    const turn = element("li", "playground-live");
    const asked = element("div", "playground-bubble playground-prompt");
    asked.append(element("span", "playground-who", "You"), element("p", "playground-asked", prompt));
    const answer = element("div", "playground-bubble playground-answer");
    // Plain text while it streams; the panel drawn again has it as Markdown (.playground-response).
    const body = element("div", "playground-live-text playground-streaming");
    body.setAttribute("aria-busy", "true");
    answer.append(element("span", "playground-who", modelName), body);
    turn.append(asked, answer);
    list.append(turn);
    return { turn, body };
  }

  // Server-Sent Events from a fetch body: yields {event, data} as whole events arrive.
  async function* events(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let name = "message";
        const data = [];
        block.split("\n").forEach((line) => {
          if (line.startsWith("event:")) name = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
        });
        yield { event: name, data: data.join("\n") };
      }
    }
  }

  async function run(form) {
    const panel = form.closest("#playground");
    const data = new FormData(form);
    const prompt = String(data.get("prompt") || "");
    const submit = form.querySelector("button[type=submit]");
    const stop = form.querySelector(".playground-stop");
    const controller = new AbortController();
    const status = panel.querySelector(".playground-result");
    if (status) status.textContent = "";
    form.classList.add("is-busy");
    submit.disabled = true;
    let live = null;
    const onStop = () => controller.abort();
    if (stop) {
      stop.hidden = false;
      stop.addEventListener("click", onStop);
    }
    let text = "";
    try {
      const response = await fetch(form.dataset.streamUrl, {
        method: "POST",
        body: data,
        headers: { Accept: "text/event-stream" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      const type = response.headers.get("content-type") || "";
      if (!type.startsWith("text/event-stream")) {
        // The form's errors, a refusal, or an answer that came in one piece: the panel, drawn by the server.
        // Anything else (a sign-in page, a refused token) is shown by loading the page again.
        if (!swapPanel(await response.text(), panel)) throw new Error(`HTTP ${response.status}`);
        const url = response.headers.get("HX-Replace-Url");
        if (url) history.replaceState(history.state, "", url);
        return;
      }
      live = liveTurn(panel, prompt, form.dataset.modelName || "");
      const typed = form.querySelector("textarea[name=prompt]");
      if (typed) typed.value = "";
      for await (const { event, data: payload } of events(response)) {
        if (payload === "[DONE]") break;
        const message = JSON.parse(payload);
        if (event === "start") {
          form.querySelector("input[name=session]").value = message.session_id;
          history.replaceState(history.state, "", message.url);
        } else if (event === "piece") {
          text += message.text;
          live.body.textContent = text;
          form.classList.add("is-streaming");
        } else if (event === "done" || event === "error") {
          live.body.setAttribute("aria-busy", "false");
          await refreshPanel(message.url, panel);
          return;
        }
      }
    } catch (error) {
      if (error.name !== "AbortError") throw error;
      // Stopped: the server records the call as cancelled when it sees the connection close.
      if (live) {
        live.body.classList.remove("playground-streaming");
        live.body.setAttribute("aria-busy", "false");
        live.body.after(element("p", "muted playground-stopped", "Stopped before the end."));
      }
    } finally {
      form.classList.remove("is-busy", "is-streaming");
      submit.disabled = false;
      if (stop) {
        stop.hidden = true;
        stop.removeEventListener("click", onStop);
      }
    }
  }

  // Capturing, so that it runs before htmx's own handler on the form, which then never sees the submit.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target.closest("form[data-stream-url]");
      if (!form) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      if (form.classList.contains("is-busy")) return;
      run(form).catch(() => {
        // The connection broke mid-answer: the call was made and recorded, so it is not sent again; the
        // page drawn afresh shows what the history kept.
        const session = form.querySelector("input[name=session]").value;
        const query = session ? `?session=${encodeURIComponent(session)}` : "";
        window.location.assign(`${window.location.pathname}${query}#playground`);
      });
    },
    true,
  );
})();

// A preview of the chosen image or audio, and recording from the microphone where the browser has
// MediaRecorder: the recording becomes the file input's file, so the form sends it as it sends an upload.
// Without this, or without MediaRecorder, the file input works alone (the record button stays hidden).
(() => {
  const previews = new WeakMap(); // the file input → its object URL shown in the preview

  function showPreview(input) {
    const field = input.closest(".playground-file");
    const preview = field && field.querySelector(".playground-preview");
    if (!preview || !window.URL || !URL.createObjectURL) return;
    const image = preview.querySelector("img");
    const audio = preview.querySelector("audio");
    if (previews.has(input)) URL.revokeObjectURL(previews.get(input));
    previews.delete(input);
    const file = input.files && input.files[0];
    const kind = file ? file.type.split("/")[0] : "";
    preview.hidden = !(kind === "image" || kind === "audio");
    image.hidden = kind !== "image";
    audio.hidden = kind !== "audio";
    if (preview.hidden) return;
    const url = URL.createObjectURL(file);
    previews.set(input, url);
    if (kind === "image") image.src = url;
    else audio.src = url;
  }

  document.addEventListener("change", (event) => {
    if (event.target.matches(".playground-file input[type=file]")) showPreview(event.target);
  });

  let canBuildFiles = false;
  try {
    canBuildFiles = typeof DataTransfer === "function" && Boolean(new DataTransfer().items);
  } catch (error) {
    canBuildFiles = false;
  }
  const canRecord =
    canBuildFiles && window.MediaRecorder && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;

  function offerRecording(root) {
    if (!canRecord) return;
    root.querySelectorAll(".playground-recorder[hidden]").forEach((recorder) => { recorder.hidden = false; });
  }

  let recording = null; // {recorder, stream, button}

  async function startRecording(button) {
    const field = button.closest(".playground-file");
    const status = field.querySelector(".playground-record-status");
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      status.textContent = "The microphone is not available; upload a file instead.";
      return;
    }
    const recorder = new MediaRecorder(stream);
    const chunks = [];
    recorder.addEventListener("dataavailable", (event) => { if (event.data.size) chunks.push(event.data); });
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const type = (recorder.mimeType || "audio/webm").split(";")[0];
      const extension = type.includes("ogg") ? "ogg" : type.includes("mp4") ? "m4a" : "webm";
      const file = new File(chunks, `recording.${extension}`, { type });
      const input = field.querySelector("input[type=file]");
      const transfer = new DataTransfer();
      transfer.items.add(file);
      input.files = transfer.files;
      showPreview(input);
      status.textContent = `Recorded ${Math.round(file.size / 1024)} KB: it is sent with the form.`;
    });
    recorder.start();
    recording = { recorder, button };
    button.textContent = "Stop recording";
    button.setAttribute("aria-pressed", "true");
    status.textContent = "Recording…";
  }

  function stopRecording() {
    if (!recording) return;
    const { recorder, button } = recording;
    recording = null;
    recorder.stop();
    button.textContent = "Record again";
    button.setAttribute("aria-pressed", "false");
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest(".playground-record");
    if (!button) return;
    if (recording) stopRecording();
    else startRecording(button);
  });

  offerRecording(document);
  // The panel is drawn again after each turn (htmx, or the stream's refresh).
  new MutationObserver(() => offerRecording(document)).observe(document.body, { childList: true, subtree: true });
})();
