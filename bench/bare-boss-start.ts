// The bare baseline of bench/startup.ts for `deep-agent start`: pg-boss started (supervising, cron
// on) on DATABASE_URL and an HTTP server whose /readyz answers 200 once it is. Env: DATABASE_URL, PORT.
import http from "node:http";
import { PgBoss } from "pg-boss";

const boss = new PgBoss({ connectionString: process.env["DATABASE_URL"]!, supervise: true, schedule: true });
boss.on("error", () => {});
await boss.start();
const server = http.createServer((req, res) => {
  if (req.url !== "/readyz") return void res.writeHead(404).end();
  boss
    .getDb()
    .executeSql("SELECT 1")
    .then(
      () => res.writeHead(200, { "content-type": "application/json" }).end('{"ready":true}'),
      () => res.writeHead(503).end(),
    );
});
server.listen(Number(process.env["PORT"]), "127.0.0.1");
process.on("SIGTERM", () => void boss.stop({ graceful: false, close: true }).then(() => process.exit(0)));
