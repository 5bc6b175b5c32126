// Small DOM helpers shared by the panels.

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className = "", text = ""): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text) node.textContent = text;
  return node;
}

export function button(label: string, title: string, onClick: () => void, className = "ls-button"): HTMLButtonElement {
  const b = el("button", className, label);
  b.type = "button";
  b.title = title;
  b.addEventListener("click", (e) => {
    e.preventDefault();
    onClick();
  });
  return b;
}

export function swatch(color: string): HTMLSpanElement {
  const s = el("span", "ls-swatch");
  s.style.background = color;
  return s;
}
