import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

export interface JudgeServer {
  baseUrl: string;
  requests: number;
  close(): Promise<void>;
}

/**
 * A local OpenAI-compatible chat endpoint standing in for a judge model, over real HTTP. Its reply
 * depends on the criterion: "garbage" answers prose, "slow" never answers, otherwise it scores 0.9
 * when the output (between the <output> tags) contains `keyword`, else 0.1.
 */
export async function startJudgeServer(keyword: string): Promise<JudgeServer> {
  const state = { requests: 0 };
  const app = new Hono();
  app.post('/v1/chat/completions', async (c) => {
    state.requests += 1;
    const body = (await c.req.json()) as { model: string; messages: Array<{ role: string; content: string }> };
    const user = body.messages.find((m) => m.role === 'user')?.content ?? '';
    const criterion = /<criterion>\n([\s\S]*?)\n<\/criterion>/.exec(user)?.[1] ?? '';
    const output = /<output>\n([\s\S]*?)\n<\/output>/.exec(user)?.[1] ?? '';
    if (criterion.includes('slow')) return new Promise<Response>(() => {});
    const content = criterion.includes('garbage')
      ? 'Honestly this looks pretty good to me!'
      : JSON.stringify({ score: output.toLowerCase().includes(keyword) ? 0.9 : 0.1, reason: `mentions ${keyword}: ${output.toLowerCase().includes(keyword)}` });
    return c.json({
      id: 'chatcmpl-test', object: 'chat.completion', created: 0, model: body.model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content } }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  });
  const server = await new Promise<Server>((resolve) => {
    const s = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s as Server)) as Server;
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
