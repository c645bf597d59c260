import { Reflector } from '@nestjs/core';

/**
 * Lets a handler (or every handler of a class) through without credentials, even under a
 * class-level `@ModelServingApi()`. Read handler first, then class.
 * @example
 * ```ts
 * @ModelServingApi({ verb: 'predict' })
 * @Controller('flowers')
 * export class FlowersController {
 *   @Public()
 *   @Get('species')
 *   species() { return ['setosa', 'versicolor', 'virginica']; }
 * }
 * ```
 * @publicApi
 */
export const Public = Reflector.createDecorator<void, true>({ transform: () => true });
