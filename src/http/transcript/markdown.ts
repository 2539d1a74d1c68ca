// The model's Markdown as HTML for the transcript page (marked). Whatever HTML the text holds is
// shown as text, never passed through; links only to http(s), mail and this site; images as links.
import { html, raw } from "hono/html";
import { Marked, type Tokens } from "marked";

const SAFE_HREF = /^(https?:|mailto:|#|\/(?!\/))/i;

const marked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return String(html`${text}`);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const text = this.parser.parseInline(tokens);
      if (!SAFE_HREF.test(href.trim())) return text;
      return String(html`<a href="${href}" rel="noopener noreferrer nofollow"${title ? html` title="${title}"` : ""}>${raw(text)}</a>`);
    },
    image({ href, text }: Tokens.Image): string {
      if (!SAFE_HREF.test(href.trim())) return String(html`${text}`);
      return String(html`<a href="${href}" rel="noopener noreferrer nofollow">${text || href}</a>`);
    },
  },
});

export function markdownToHtml(text: string): string {
  return marked.parse(text, { async: false });
}
