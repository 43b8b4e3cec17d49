() => {
  // What the page does in the visitor's browser, beyond Gradio's own components (loaded once by launch(js=…)).

  // Gradio's own labels it has no Chinese for, or shows in English to a browser set to English (client.py makes
  // Gradio use its Chinese translations whatever the browser language; these are the rest).
  const LABELS = {
    "Like": "赞", "Dislike": "踩", "Copy message": "复制", "Copy": "复制", "Copied!": "已复制", "Clear": "清空",
    "More tabs": "更多标签页", "chatbot conversation": "对话记录", "Gradio footer navigation": "页脚导航",
    "Share": "分享", "Download": "下载", "Fullscreen": "全屏", "Exit fullscreen mode": "退出全屏",
    "Close": "关闭", "Remove": "移除", "Upload": "上传", "Loading...": "加载中…",
    "File upload": "上传文件", "Click to upload or drop files": "点击上传，或把文件拖到这里",
    "Dataframe": "表格", "Open cell menu": "打开单元格菜单", "Table actions": "表格操作",
  };
  const PREFIXES = [["bot's message: ", "助手的回答："], ["user's message: ", "提问："]];
  const relabel = (element) => {
    for (const name of ["aria-label", "title", "placeholder"]) {
      const value = element.getAttribute && element.getAttribute(name);
      if (!value) continue;
      let text = LABELS[value];
      for (const [english, chinese] of PREFIXES) {
        if (!text && value.startsWith(english)) text = chinese + value.slice(english.length, english.length + 60);
      }
      if (text) element.setAttribute(name, text);
    }
  };
  const retext = (node) => {
    const text = LABELS[node.textContent.trim()];
    if (text) node.textContent = text;
  };
  const relabelAll = (root) => {
    if (root.nodeType === 3) { retext(root); return; }
    if (root.nodeType !== 1) return;
    relabel(root);
    root.querySelectorAll("[aria-label], [title], [placeholder]").forEach(relabel);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) retext(node);
  };
  relabelAll(document.body);
  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes") relabel(change.target);
      else if (change.type === "characterData") retext(change.target);
      else change.addedNodes.forEach(relabelAll);
    }
  }).observe(document.body, {subtree: true, childList: true, characterData: true, attributes: true,
                             attributeFilter: ["aria-label", "title", "placeholder"]});

  // [n] in an answer: bring its source card into view and light up the quoted sentences (rendering.py).
  const messageOf = (element) => element.closest(".message-row, .message") || document;
  const showSource = (cite) => {
    const n = cite.getAttribute("href").replace("#source-", "");
    const card = messageOf(cite).querySelector(`.source-card.source-${n}`);
    if (!card) return;
    document.querySelectorAll(".source-card.cited").forEach((c) => c.classList.remove("cited"));
    card.classList.add("cited");
    card.scrollIntoView({behavior: "smooth", block: "center"});
  };
  // 复制回答: the answer as plain text with its 参考案例 lines (hidden in the message), never the page's HTML.
  const copyAnswer = async (link) => {
    const text = messageOf(link).querySelector(".copy-text")?.textContent || "";
    try {
      await navigator.clipboard.writeText(text);
    } catch (error) {  // no clipboard permission (plain http on another computer): the old way
      const area = document.createElement("textarea");
      area.value = text;
      document.body.appendChild(area);
      area.select();
      document.execCommand("copy");
      area.remove();
    }
    link.textContent = "已复制";
    setTimeout(() => { link.textContent = "复制回答"; }, 1500);
  };
  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("#chat a.cite, #chat a.copy-answer");
    if (!link) return;
    event.preventDefault();
    if (link.classList.contains("cite")) showSource(link); else copyAnswer(link);
  });

  // A phone starts with the filters folded away (the question box stays at the bottom of the screen: CSS).
  if (window.matchMedia("(max-width: 640px)").matches) {
    const open = document.querySelector("#chat-options > .label-wrap.open, #chat-options button.label-wrap.open");
    if (open) open.click();
  }
}
